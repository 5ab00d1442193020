#include <catch2/catch.hpp>

#include <zlib.h>

#include "vmx-engine/kallsyms_export.h"

using vmx::KallsymsStatus;

namespace {
KallsymsStatus extract(const std::string& log, std::string& out, std::string& error) {
  return vmx::extractKallsyms(log, "kallsyms.serial", out, error);
}
}  // namespace

TEST_CASE("kallsyms export: the lines between the markers, without carriage returns") {
  std::string out, error;
  CHECK(extract("noise\r\nvprobe-kallsyms-begin\r\n"
                "ffffffff81000000 T _text\r\nffffffff81001000 t foo\t[ext4]\r\n"
                "vprobe-kallsyms-end 2\r\n",
                out, error) == KallsymsStatus::Complete);
  CHECK(out == "ffffffff81000000 T _text\nffffffff81001000 t foo\t[ext4]\n");
}

TEST_CASE("kallsyms export: the last export wins (a guest that rebooted)") {
  std::string out, error;
  CHECK(extract("vprobe-kallsyms-begin\nffffffff81000000 T _text\nvprobe-kallsyms-end 1\n"
                "vprobe-kallsyms-begin\nffffffffa2000000 T _text\nvprobe-kallsyms-end 1\n",
                out, error) == KallsymsStatus::Complete);
  CHECK(out == "ffffffffa2000000 T _text\n");
}

TEST_CASE("kallsyms export: incomplete until the end marker's line is whole") {
  std::string out, error;
  CHECK(extract("", out, error) == KallsymsStatus::Incomplete);
  CHECK(extract("linux-guest: booting\n", out, error) == KallsymsStatus::Incomplete);
  CHECK(extract("vprobe-kallsyms-begin\nffffffff81000000 T _text\n", out, error) ==
        KallsymsStatus::Incomplete);
  CHECK(extract("vprobe-kallsyms-begin\nffffffff81000000 T _text\nvprobe-kallsyms-end 1",
                out, error) == KallsymsStatus::Incomplete);
}

TEST_CASE("kallsyms export: a count that does not match, a bad marker or line, is an error") {
  std::string out, error;
  CHECK(extract("vprobe-kallsyms-begin\nffffffff81000000 T _text\nvprobe-kallsyms-end 3\n",
                out, error) == KallsymsStatus::Bad);
  CHECK(error == "kallsyms.serial: the guest sent 3 symbol lines but 1 arrived");
  CHECK(extract("vprobe-kallsyms-begin\nffffffff81000000 T _text\nvprobe-kallsyms-end x\n",
                out, error) == KallsymsStatus::Bad);
  CHECK(error == "kallsyms.serial: malformed end marker 'vprobe-kallsyms-end x'");
  CHECK(extract("vprobe-kallsyms-begin\nvprobe-kallsyms-end 0\n", out, error) ==
        KallsymsStatus::Bad);
  CHECK(error.find("no symbols") != std::string::npos);
  CHECK(extract("vprobe-kallsyms-begin\ngarbage\nvprobe-kallsyms-end 1\n", out, error) ==
        KallsymsStatus::Bad);
  CHECK(error.starts_with("kallsyms.serial:1: malformed symbol line"));
}

namespace {
std::string gzip(const std::string& text) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(text.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}
}  // namespace

TEST_CASE("kallsyms export: the guest's gzip framing, as raw bytes on the port") {
  std::string syms = "ffffffff81000000 T _text\nffffffff810be350 T __x64_sys_getpid\n";
  std::string gz = gzip(syms);
  std::string log = "vprobe-kallsyms-begin gzip " + std::to_string(gz.size()) + "\n" + gz +
                    "\nvprobe-kallsyms-end 2\n";
  std::string out, error;
  CHECK(extract(log, out, error) == KallsymsStatus::Complete);
  CHECK(out == syms);
  // Still arriving: every prefix is incomplete, never an error.
  for (size_t n : {size_t(10), log.size() / 2, log.size() - 5, log.size() - 1})
    CHECK(extract(log.substr(0, n), out, error) == KallsymsStatus::Incomplete);
  // A wrong count, corrupt data, a size that overruns the end marker.
  CHECK(extract("vprobe-kallsyms-begin gzip " + std::to_string(gz.size()) + "\n" + gz +
                    "\nvprobe-kallsyms-end 5\n",
                out, error) == KallsymsStatus::Bad);
  CHECK(error == "kallsyms.serial: the guest sent 5 symbol lines but 2 arrived");
  std::string bad = gz;
  bad[bad.size() / 2] ^= 0x55;
  CHECK(extract("vprobe-kallsyms-begin gzip " + std::to_string(bad.size()) + "\n" + bad +
                    "\nvprobe-kallsyms-end 2\n",
                out, error) == KallsymsStatus::Bad);
  CHECK(error == "kallsyms.serial: the gzip data of the symbol export is corrupt");
  CHECK(extract("vprobe-kallsyms-begin gzip 99999999999\n", out, error) == KallsymsStatus::Bad);
  CHECK(error.starts_with("kallsyms.serial: malformed begin marker"));
  CHECK(extract("vprobe-kallsyms-begin zip 3\nabc\nvprobe-kallsyms-end 0\n", out, error) ==
        KallsymsStatus::Bad);
}

TEST_CASE("kallsyms export: a gzip bomb stops at 64 MiB") {
  std::string gz = gzip(std::string(80u << 20, '\n'));
  std::string out, error;
  CHECK(extract("vprobe-kallsyms-begin gzip " + std::to_string(gz.size()) + "\n" + gz +
                    "\nvprobe-kallsyms-end 1\n",
                out, error) == KallsymsStatus::Bad);
  CHECK(error == "kallsyms.serial: the symbols would be more than 64 MiB uncompressed");
}
