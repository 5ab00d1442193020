// The Linux guest's symbols as its init sends them on COM2
// (serial1.fileName; guests/linux/init), in one of two framings:
//
//   vprobe-kallsyms-begin               vprobe-kallsyms-begin gzip BYTES
//   ffffffff81000000 T _stext           BYTES of gzip data (the tty in raw
//   ...  (lines of /proc/kallsyms)      mode: 8-bit clean, no CR added)
//   vprobe-kallsyms-end N               \nvprobe-kallsyms-end N
//
// N is the number of symbol lines sent. The gzip framing is what the
// guest uses: every byte on the port is a VM exit, and under nested
// emulation the port carries about 9 KB/s.
//
// extractKallsyms() turns the port's log into a clean kallsyms file (the
// last export's lines, without carriage returns), for vprobe.guestSyms and
// Emmett's -s. `vmrun getGuestSymbols` is its user. The log is written by
// the guest: hostile input, checked (sizes, the line count, a bound on the
// decompressed size, every line parsed as a symbol line).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmx {

inline constexpr std::string_view kKallsymsBegin = "vprobe-kallsyms-begin";
inline constexpr std::string_view kKallsymsEnd = "vprobe-kallsyms-end";
// More than any kernel's kallsyms (a distribution kernel's is ~4 MB).
inline constexpr size_t kMaxKallsymsBytes = 64u << 20;

enum class KallsymsStatus {
  Complete,    // `out` holds the symbols
  Incomplete,  // no begin marker yet, or not all of the export after it: wait
  Bad,         // an export that does not check out; `error` says why
};

KallsymsStatus extractKallsyms(std::string_view log, const std::string& source,
                               std::string& out, std::string& error);

}  // namespace vmx
