// The VM process's command line, defined in options.cpp (CLI11, as every
// tool: cmdline/cmdline.h):
//
//   vmx [-f|--foreground] PATH.vmx
#pragma once

#include <optional>
#include <string>

namespace vmxtool {

struct Args {
  bool foreground = false;  // -f: no detaching, the log on stderr
  std::string vmx;
};

// Reads argv into `out`. nullopt when the VM process should go on;
// otherwise the exit status, after printing --help or --version (0) or
// what is wrong (2).
std::optional<int> parseArgs(int argc, const char* const* argv, Args& out);

}  // namespace vmxtool
