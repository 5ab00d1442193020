// emmett-symdb's command line, defined in options.cpp (CLI11, as every
// tool: cmdline/cmdline.h):
//
//   emmett-symdb IMAGE [-n NAME] [-o FILE]     a guest image's DWARF into a symbol database
//   emmett-symdb -l [-v] PATTERN FILE|IMAGE    list functions, types and lines
#pragma once

#include <optional>
#include <string>

namespace symdbcli {

struct Args {
  bool list = false;     // -l
  bool verbose = false;  // -v
  std::string image;     // the image to read (or, with -l, the database or image to list)
  std::string pattern;   // -l: what to list
  std::string output;    // -o: default IMAGE with .symdb for its extension
  std::string name;      // -n: the image's name in the database
};

// Reads argv into `out`. nullopt when emmett-symdb should go on; otherwise
// the exit status, after printing --help or --version (0) or what is wrong (2).
std::optional<int> parseArgs(int argc, const char* const* argv, Args& out);

}  // namespace symdbcli
