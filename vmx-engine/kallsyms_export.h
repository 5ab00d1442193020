// The Linux guest's symbols as its init sends them on COM2
// (serial1.fileName; guests/linux/init):
//
//   vprobe-kallsyms-begin
//   ffffffff81000000 T _stext          (each line of /proc/kallsyms)
//   ...
//   vprobe-kallsyms-end N              (N: the number of lines sent)
//
// extractKallsyms() turns the port's log into a clean kallsyms file (the
// lines between the last begin and its end, without the tty's carriage
// returns), for vprobe.guestSyms and Emmett's -s. `vmrun getGuestSymbols`
// is its user. The log is written by the guest: hostile input, checked
// (line count, every line parsed as a symbol line).
#pragma once

#include <string>
#include <string_view>

namespace vmx {

inline constexpr std::string_view kKallsymsBegin = "vprobe-kallsyms-begin";
inline constexpr std::string_view kKallsymsEnd = "vprobe-kallsyms-end";

enum class KallsymsStatus {
  Complete,    // `out` holds the symbols
  Incomplete,  // no begin marker yet, or no end marker after it: wait
  Bad,         // an end marker that does not match what came; `error` says
};

KallsymsStatus extractKallsyms(std::string_view log, const std::string& source,
                               std::string& out, std::string& error);

}  // namespace vmx
