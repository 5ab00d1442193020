// vprobe's command line (all of it is defined in options.cpp, on CLI11 as
// every tool's is: cmdline/cmdline.h):
//
//   vprobe [-c CODE] [-d SECONDS] [-f text|json] [-s SYMS] [-T [NAME=]SYMDB] [-D NAME[=VAL]] [-I DIR] [-i]
//          [--folded FILE] [--flamegraph FILE] VMX [FILE...]
//   vprobe -l VMX
//   vprobe -l [-v] -T [NAME=]SYMDB... [PATTERN]
//
// Options may come before or after VMX; "--" ends them. FILE "-" is the
// standard input.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vp/output_record.h"

namespace vprobe {

struct Options {
  std::string vmx;
  std::vector<std::string> files;  // the script's files, in order
  std::optional<std::string> code;  // -c: the script itself
  std::optional<double> seconds;    // -d: run this long
  vp::OutputFormat format = vp::OutputFormat::Text;  // -f, --format
  std::string symbolFile;           // -s (Emmett)
  std::vector<std::string> symbolDatabases;  // -T (Emmett: symbol databases)
  std::vector<std::pair<std::string, std::string>> defines;  // -D (Emmett)
  std::vector<std::string> includeDirs;                      // -I (Emmett)
  bool vp = false;         // -i: the script is VP, not Emmett
  bool listProbes = false;  // -l
  std::string foldedFile;      // --folded: stack aggregates, folded
  std::string flameGraphFile;  // --flamegraph: the same as an SVG flame graph
  bool verbose = false;     // -v (with -l -T)
  std::string pattern;      // -l -T: what to list (a glob)
};

// Reads argv into `out`. nullopt when vprobe should go on; otherwise the
// exit status, after printing --help or --version (0) or what is wrong
// with the command line (2).
std::optional<int> parseOptions(int argc, const char* const* argv, Options& out);

}  // namespace vprobe
