// vprobe's command line:
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
  std::vector<std::string> symbolDatabases;  // -T (Emmett: external types)
  std::vector<std::pair<std::string, std::string>> defines;  // -D (Emmett)
  std::vector<std::string> includeDirs;                      // -I (Emmett)
  bool vp = false;         // -i: the script is VP, not Emmett
  std::string foldedFile;      // --folded: stack aggregates, folded
  std::string flameGraphFile;  // --flamegraph: the same as an SVG flame graph
  bool listProbes = false;  // -l
  bool verbose = false;     // -v (with -l -T)
  std::string pattern;      // -l -T: what to list (a glob)
  bool help = false;
};

// False with `error` (a sentence) for a command line that does not make
// sense; the caller prints it with the usage.
bool parseOptions(const std::vector<std::string>& args, Options& out, std::string& error);

std::string usage();

}  // namespace vprobe
