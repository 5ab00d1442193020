#include <catch2/catch.hpp>

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>

#include "vmx-client/guest_export.h"

using vmx::ExportStatus;

namespace {

std::string gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A disk image as the guest's init leaves it: 16 MiB, the header at
// kExportOffset, the data after it.
struct Disk {
  std::string bytes = std::string(16u << 20, '\0');
  void put(uint64_t at, const std::string& s) { bytes.replace(at, s.size(), s); }
  void exportWith(const std::string& header, const std::string& kgz, const std::string& bgz) {
    uint64_t k = vmx::kExportOffset + vmx::kExportBlock;
    put(k, kgz);
    put(k + (kgz.size() + 4095) / 4096 * 4096, bgz);
    put(vmx::kExportOffset, header);
  }
  ExportStatus extract(vmx::GuestExport& out, std::string& error) const {
    auto read = [this](uint64_t off, size_t len, std::string& data) {
      if (off > bytes.size() || len > bytes.size() - off) return false;
      data = bytes.substr(off, len);
      return true;
    };
    return vmx::extractGuestExport(bytes.size(), read, "disk0.img", out, error);
  }
};

const std::string kSyms = "ffffffff81000000 T _text\nffffffff82a05940 D jiffies\n"
                          "ffffffffc0001000 t foo\t[ext4]\n";
std::string le32(uint32_t v) {
  return {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
}

// A BTF as the kernel's: its 24-byte header, `types` bytes of types, then
// `strings` bytes of strings.
std::string btf(uint32_t types, uint32_t strings) {
  return std::string("\x9f\xeb\x01\x00", 4) + le32(24) + le32(0) + le32(types) + le32(types) +
         le32(strings) + std::string(types, 't') + std::string(strings, 's');
}

const std::string kBtf = btf(600, 400);

std::string header(size_t k, size_t lines, size_t b) {
  return "vprobe-export 1 " + std::to_string(k) + " " + std::to_string(lines) + " " +
         std::to_string(b) + "\n";
}

}  // namespace

TEST_CASE("guest export: the symbols and the BTF behind a whole header") {
  Disk d;
  std::string k = gzip(kSyms), b = gzip(kBtf);
  d.exportWith(header(k.size(), 3, b.size()), k, b);
  vmx::GuestExport out;
  std::string error;
  REQUIRE(d.extract(out, error) == ExportStatus::Complete);
  CHECK(out.kallsyms == kSyms);
  CHECK(out.btf == kBtf);
}

TEST_CASE("guest export: no BTF is fine") {
  Disk d;
  std::string k = gzip(kSyms);
  d.exportWith(header(k.size(), 3, 0), k, "");
  vmx::GuestExport out;
  std::string error;
  REQUIRE(d.extract(out, error) == ExportStatus::Complete);
  CHECK(out.btf.empty());
}

TEST_CASE("guest export: incomplete without a header, or on a disk too small") {
  Disk d;
  vmx::GuestExport out;
  std::string error;
  d.put(vmx::kExportOffset + vmx::kExportBlock, gzip(kSyms));  // data, no header yet
  CHECK(d.extract(out, error) == ExportStatus::Incomplete);
  CHECK(error == "no export header at byte 8388608");
  Disk small;
  small.bytes.resize(1u << 20);
  CHECK(small.extract(out, error) == ExportStatus::Incomplete);
}

TEST_CASE("guest export: hostile headers are errors, never a crash") {
  std::string k = gzip(kSyms), b = gzip(kBtf);
  auto bad = [&](const std::string& h, const std::string& kgz, const std::string& bgz) {
    Disk d;
    d.exportWith(h, kgz, bgz);
    vmx::GuestExport out;
    std::string error;
    CHECK(d.extract(out, error) == ExportStatus::Bad);
    CHECK(out.kallsyms.empty());
    return error;
  };
  CHECK(bad("vprobe-export 2 10 1 0\n", k, "").find("malformed export header") != std::string::npos);
  CHECK(bad("vprobe-export 1 10 1\n", k, "").find("malformed export header") != std::string::npos);
  CHECK(bad("vprobe-export 1 -1 1 0\n", k, "").find("malformed export header") != std::string::npos);
  CHECK(bad("vprobe-export 1 18446744073709551615 1 0\n", k, "").find("do not fit the disk") != std::string::npos);
  CHECK(bad(header(k.size(), 3, 16u << 20), k, b).find("do not fit the disk") != std::string::npos);
  CHECK(bad(header(k.size(), 3, 18446744073709551615ull), k, b).find("do not fit the disk") != std::string::npos);
  CHECK(bad(header(0, 0, 0), "", "").find("do not fit the disk") != std::string::npos);
  // Truncated or corrupt gzip: the stream's own end and CRC-32 catch it.
  CHECK(bad(header(k.size() - 8, 3, 0), k.substr(0, k.size() - 8), "").find("corrupt or truncated") != std::string::npos);
  std::string flipped = k;
  flipped[flipped.size() - 6] ^= 1;  // the CRC-32
  CHECK(bad(header(k.size(), 3, 0), flipped, "").find("symbols is corrupt") != std::string::npos);
  CHECK(bad(header(k.size(), 4, 0), k, "") ==
        "disk0.img: the header says 4 symbol lines but the data holds 3");
  std::string empty = gzip("");
  CHECK(bad(header(empty.size(), 0, 0), empty, "").find("sent no symbols") != std::string::npos);
  std::string junk = gzip("not a symbol line\n");
  CHECK(bad(header(junk.size(), 1, 0), junk, "").find("disk0.img:1:") == 0);
  std::string notBtf = gzip("ELF");
  CHECK(bad(header(k.size(), 3, notBtf.size()), k, notBtf).find("magic 0xeb9f") != std::string::npos);
  CHECK(bad(header(k.size(), 3, b.size()), k, b.substr(0, b.size() / 2)).find("BTF is corrupt") != std::string::npos);
  // A whole gzip stream of a BTF cut short, or with bytes its header does
  // not account for.
  std::string cut = gzip(kBtf.substr(0, kBtf.size() - 1)), padded = gzip(kBtf + "x");
  CHECK(bad(header(k.size(), 3, cut.size()), k, cut) ==
        "disk0.img: the BTF's header describes 1024 bytes but the guest sent 1023");
  CHECK(bad(header(k.size(), 3, padded.size()), k, padded) ==
        "disk0.img: the BTF's header describes 1024 bytes but the guest sent 1025");
  std::string huge = gzip(btf(600, 400).replace(20, 4, le32(0xffffffffu)));
  CHECK(bad(header(k.size(), 3, huge.size()), k, huge).find("the BTF's header describes") != std::string::npos);
}

TEST_CASE("guest export: a gzip bomb stops at 64 MiB") {
  std::string bomb = gzip(std::string(65u << 20, '\n'));
  Disk d;
  d.exportWith(header(bomb.size(), 65u << 20, 0), bomb, "");
  vmx::GuestExport out;
  std::string error;
  CHECK(d.extract(out, error) == ExportStatus::Bad);
  CHECK(error == "disk0.img: the symbols would be more than 64 MiB uncompressed");
}

TEST_CASE("guest export: power-on clears the previous boot's header, and only that") {
  char dir[] = "/tmp/guest-export-test.XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string path = std::string(dir) + "/disk0.img", error;
  bool cleared = true;
  CHECK(vmx::clearGuestExport(path, cleared, error));  // no disk yet
  CHECK_FALSE(cleared);
  Disk d;
  std::string k = gzip(kSyms);
  d.exportWith(header(k.size(), 3, 0), k, "");
  auto write = [&](const std::string& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
  };
  write(d.bytes);
  vmx::GuestExport out;
  REQUIRE(vmx::readGuestExport(path, out, error) == ExportStatus::Complete);
  CHECK(vmx::clearGuestExport(path, cleared, error));
  CHECK(cleared);
  CHECK(vmx::readGuestExport(path, out, error) == ExportStatus::Incomplete);
  CHECK(error == "no export header at byte 8388608");
  // A disk of some other guest's data at that offset is not ours to touch.
  Disk other;
  other.put(vmx::kExportOffset, "filesystem data");
  write(other.bytes);
  CHECK(vmx::clearGuestExport(path, cleared, error));
  CHECK_FALSE(cleared);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  std::string back(other.bytes.size(), '\0');
  CHECK(std::fread(back.data(), 1, back.size(), f) == back.size());
  std::fclose(f);
  CHECK(back == other.bytes);
  std::remove(path.c_str());
  rmdir(dir);
}
