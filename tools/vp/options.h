// The `vp` command line: check, run and dump, each with its options. All of
// it is defined in options.cpp (CLI11, as every tool: cmdline/cmdline.h);
// the subcommands get their arguments read and checked.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vp/synthetic_host.h"
#include "vp/vp.h"

namespace vpcli {

enum class Command { Check, Run, Dump };

// vp run FILE [options] EVENT...
struct RunArgs {
  std::string file;
  int vcpu = 0;
  std::vector<std::pair<vp::Global, uint64_t>> regs;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> mem;
  std::vector<vp::Event> events;
};

struct Args {
  Command command = Command::Check;
  vp::Options engine;              // --code-bytes, --vp-version, --bag-bytes, --syms, --interp
  std::vector<std::string> files;  // check: FILE...; dump: FILE
  RunArgs run;
};

// Reads argv into `out`. nullopt when vp should go on; otherwise the exit
// status, after printing --help or --version (0) or what is wrong (2).
std::optional<int> parseArgs(int argc, const char* const* argv, Args& out);

}  // namespace vpcli
