// The Linux guest's symbols and BTF as its init leaves them on its virtio
// disk (disk0; guests/linux/init), in a region from kExportOffset the
// guest's own workload (lgworker: the first 4 MiB) never touches:
//
//   kExportOffset            one 4 KiB block: the header, an ASCII line
//                            "vprobe-export 1 KGZ LINES BTFGZ\n", then zeros
//   kExportOffset + 4 KiB    KGZ bytes: /proc/kallsyms (all its LINES lines:
//                            code, data, per-CPU, modules), gzip'd
//   next 4 KiB boundary      BTFGZ bytes (0: none): /sys/kernel/btf/vmlinux,
//                            gzip'd
//
// The guest zeroes the header first, writes the data, then the header,
// each synced to the disk: a reader that sees a header sees the data it
// describes. gzip's CRC-32 and length check the data; the vmx clears a
// previous boot's header at power-on (clearGuestExport).
//
// extractGuestExport() checks and unpacks it for `vmrun getGuestSymbols`.
// The disk is written by the guest: hostile input, checked (lengths within
// the disk, 64 MiB decompressed at most, the line count, every line parsed
// as a symbol line, the BTF's magic and its header's lengths against its
// size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace vmx {

inline constexpr uint64_t kExportOffset = 8u << 20;
inline constexpr size_t kExportBlock = 4096;
inline constexpr std::string_view kExportMagic = "vprobe-export";
inline constexpr unsigned kExportVersion = 1;
// More than any kernel's kallsyms or BTF (a distribution kernel's are 5-10 MB).
inline constexpr size_t kMaxExportBytes = 64u << 20;

enum class ExportStatus {
  Complete,    // `kallsyms` (and `btf` when the guest sent one) are filled
  Incomplete,  // no header (yet): wait
  Bad,         // an export that does not check out; `error` says why
};

struct GuestExport {
  std::string kallsyms;  // plain /proc/kallsyms lines
  std::string btf;       // raw BTF (starts with 0x9f 0xeb); empty: none sent
};

// Reads `length` bytes at `offset` of the disk into `out`; false on error.
using DiskReadAt = std::function<bool(uint64_t offset, size_t length, std::string& out)>;

// The export on a disk of `diskBytes` bytes read through `read`; `source`
// names the disk in errors.
ExportStatus extractGuestExport(uint64_t diskBytes, const DiskReadAt& read,
                                const std::string& source, GuestExport& out,
                                std::string& error);

// The same on the disk image file `path`; a missing or short file is
// Incomplete with `error` saying why.
ExportStatus readGuestExport(const std::string& path, GuestExport& out, std::string& error);

// At power-on, before the guest runs: a previous boot's export on the
// disk image `path` (a block at kExportOffset that starts with
// kExportMagic) is zeroed, so `vmrun getGuestSymbols` waits for this
// boot's instead of handing out the last one's (whose addresses differ
// with KASLR). A disk without that header is left as it is; so is a
// missing file. `cleared` says whether there was one; false with `error`
// set when the file cannot be read or written.
bool clearGuestExport(const std::string& path, bool& cleared, std::string& error);

}  // namespace vmx
