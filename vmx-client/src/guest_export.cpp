#include "vmx-client/guest_export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <cstring>

#include "vp/guest_symbols.h"

namespace vmx {
namespace {

struct Header {
  uint64_t kallsymsGz = 0, lines = 0, btfGz = 0;
};

bool parseCount(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// The header line's fields after the magic: "1 KGZ LINES BTFGZ".
bool parseFields(std::string_view line, Header& h) {
  uint64_t f[4];
  for (int i = 0; i < 4; ++i) {
    if (line.empty() || line[0] != ' ') return false;
    line.remove_prefix(1);
    size_t end = std::min(line.find(' '), line.size());
    if (!parseCount(line.substr(0, end), f[i])) return false;
    line.remove_prefix(end);
  }
  if (!line.empty() || f[0] != kExportVersion) return false;
  h = {f[1], f[2], f[3]};
  return true;
}

ExportStatus readHeader(std::string_view block, const std::string& source, Header& h,
                        std::string& error) {
  if (!block.starts_with(kExportMagic)) {
    error = "no export header at byte " + std::to_string(kExportOffset);
    return ExportStatus::Incomplete;
  }
  size_t nl = block.find('\n');
  std::string_view line = block.substr(0, nl);
  if (nl == std::string_view::npos || !parseFields(line.substr(kExportMagic.size()), h)) {
    error = source + ": malformed export header '" +
            std::string(line.substr(0, std::min<size_t>(line.find('\0'), 80))) + "' (want '" +
            std::string(kExportMagic) + " " + std::to_string(kExportVersion) +
            " KGZ LINES BTFGZ')";
    return ExportStatus::Bad;
  }
  return ExportStatus::Complete;
}

uint64_t roundUp(uint64_t n) { return (n + kExportBlock - 1) / kExportBlock * kExportBlock; }

bool gunzip(std::string_view in, std::string& out, const std::string& what, std::string& error) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    error = "cannot start zlib";
    return false;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > kMaxExportBytes) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated
  }
  inflateEnd(&z);
  if (rc == Z_STREAM_END) return true;
  error = out.size() > kMaxExportBytes ? "the " + what + " would be more than 64 MiB uncompressed"
                                       : "the gzip data of the " + what + " is corrupt or truncated";
  return false;
}

bool checkSymbols(const std::string& text, uint64_t want, const std::string& source,
                  std::string& error) {
  uint64_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (want != lines) {
    error = "the header says " + std::to_string(want) + " symbol lines but the data holds " +
            std::to_string(lines);
    return false;
  }
  if (lines == 0) {
    error = "the guest sent no symbols (is /proc/kallsyms empty?)";
    return false;
  }
  vp::GuestSymbols symbols;
  return vp::GuestSymbols::parse(text, source, symbols, error);
}

uint32_t le32(std::string_view b, size_t at) {
  return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 |
         uint32_t(uint8_t(b[at + 2])) << 16 | uint32_t(uint8_t(b[at + 3])) << 24;
}

// The BTF's own header (linux/btf.h: magic 0xeb9f, version, flags, then
// hdr_len, type_off, type_len, str_off, str_len, little-endian on x86)
// accounts for every byte: a BTF cut short or padded does not pass.
bool checkBtf(std::string_view btf, std::string& error) {
  if (btf.size() < 24 || uint8_t(btf[0]) != 0x9f || uint8_t(btf[1]) != 0xeb) {
    error = "the BTF does not start with a BTF header (magic 0xeb9f)";
    return false;
  }
  uint64_t hdrLen = le32(btf, 4), types = uint64_t(le32(btf, 8)) + le32(btf, 12),
           strings = uint64_t(le32(btf, 16)) + le32(btf, 20);
  if (hdrLen < 24 || hdrLen + std::max(types, strings) != btf.size()) {
    error = "the BTF's header describes " + std::to_string(hdrLen + std::max(types, strings)) +
            " bytes but the guest sent " + std::to_string(btf.size());
    return false;
  }
  return true;
}

// The gzip'd part of `bytes` at `offset`, unpacked into `out`.
bool unpack(const DiskReadAt& read, uint64_t offset, uint64_t bytes, const std::string& what,
            std::string& out, std::string& error) {
  std::string gz;
  if (!read(offset, bytes, gz)) {
    error = "cannot read the " + what + " (" + std::to_string(bytes) + " bytes at " +
            std::to_string(offset) + ")";
    return false;
  }
  return gunzip(gz, out, what, error);
}

}  // namespace

ExportStatus extractGuestExport(uint64_t diskBytes, const DiskReadAt& read,
                                const std::string& source, GuestExport& out,
                                std::string& error) {
  out = {};
  std::string block;
  if (diskBytes < kExportOffset + kExportBlock || !read(kExportOffset, kExportBlock, block)) {
    error = "the disk (" + std::to_string(diskBytes) + " bytes) ends before the export header at byte " +
            std::to_string(kExportOffset);
    return ExportStatus::Incomplete;
  }
  Header h;
  ExportStatus s = readHeader(block, source, h, error);
  if (s != ExportStatus::Complete) return s;
  uint64_t kOff = kExportOffset + kExportBlock;
  uint64_t bOff = kOff + roundUp(std::min<uint64_t>(h.kallsymsGz, kMaxExportBytes));
  if (h.kallsymsGz > kMaxExportBytes || h.btfGz > kMaxExportBytes || h.kallsymsGz == 0 ||
      bOff + h.btfGz > diskBytes) {
    error = source + ": the export header's lengths (" + std::to_string(h.kallsymsGz) + " and " +
            std::to_string(h.btfGz) + " bytes) do not fit the disk (" + std::to_string(diskBytes) +
            " bytes)";
    return ExportStatus::Bad;
  }
  bool ok = unpack(read, kOff, h.kallsymsGz, "symbols", out.kallsyms, error) &&
            checkSymbols(out.kallsyms, h.lines, source, error) &&
            (h.btfGz == 0 ||
             (unpack(read, bOff, h.btfGz, "BTF", out.btf, error) && checkBtf(out.btf, error)));
  if (ok) return ExportStatus::Complete;
  if (!error.starts_with(source + ":")) error = source + ": " + error;
  out = {};
  return ExportStatus::Bad;
}

ExportStatus readGuestExport(const std::string& path, GuestExport& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    error = "cannot read it (" + std::string(std::strerror(errno)) + ")";
    if (fd >= 0) ::close(fd);
    return ExportStatus::Incomplete;
  }
  DiskReadAt read = [fd](uint64_t offset, size_t length, std::string& data) {
    data.assign(length, '\0');
    size_t done = 0;
    while (done < length) {
      ssize_t n = ::pread(fd, data.data() + done, length - done, off_t(offset + done));
      if (n <= 0) return false;
      done += size_t(n);
    }
    return true;
  };
  ExportStatus s = extractGuestExport(uint64_t(st.st_size), read, path, out, error);
  ::close(fd);
  return s;
}

bool clearGuestExport(const std::string& path, bool& cleared, std::string& error) {
  cleared = false;
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;  // a new disk: nothing to clear
    error = path + ": " + std::strerror(errno);
    return false;
  }
  char block[kExportBlock];
  ssize_t n = ::pread(fd, block, sizeof block, off_t(kExportOffset));
  bool ok = n >= 0;
  if (ok && size_t(n) >= kExportMagic.size() &&
      std::string_view(block, kExportMagic.size()) == kExportMagic) {
    std::memset(block, 0, sizeof block);
    ok = ::pwrite(fd, block, size_t(n), off_t(kExportOffset)) == n;
    cleared = ok;
  }
  if (!ok) error = path + ": cannot clear the previous boot's symbol export: " + std::strerror(errno);
  ::close(fd);
  return ok;
}

}  // namespace vmx
