// emmett's command line, defined in options.cpp (CLI11, as every tool:
// cmdline/cmdline.h):
//
//   emmett [-D NAME[=VAL]] [-I DIR] [-s SYMS] [-T [NAME=]SYMDB] [-V VERSION] [-o OUT] [--dump-ast] FILE.emt
#pragma once

#include <optional>
#include <string>

#include "emmett2vp/emmett2vp.h"

namespace emmettcli {

struct Args {
  emmett::Options compile;
  std::string file;    // "-": standard input
  std::string output;  // empty: standard output
};

// Reads argv into `out`. nullopt when emmett should go on; otherwise the
// exit status, after printing --help or --version (0) or what is wrong (2).
std::optional<int> parseArgs(int argc, const char* const* argv, Args& out);

}  // namespace emmettcli
