#include <catch2/catch.hpp>

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
