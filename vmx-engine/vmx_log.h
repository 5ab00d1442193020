// The VM process's log (vmx.log beside the .vmx: the daemon's stderr), in
// VMware's style: "2026-11-22T10:04:05.123| vmx| message". Thread safe.
#pragma once

#include <string_view>

namespace vmx {

void logLine(std::string_view message);

}  // namespace vmx
