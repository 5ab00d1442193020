// vmrun's command line as VMware's vmrun spells it:
//
//   vmrun [-T ws|fusion|player] COMMAND [PATH.vmx] [ARGS...]
//
// The options before COMMAND are defined in options.cpp (CLI11, as every
// tool's: cmdline/cmdline.h, plus VMware's -? for help); the commands and
// their arguments are vmx-client/vmrun_args.h. Usage errors print
// "Error: ..." and the commands, and exit 1, as VMware's vmrun does.
#pragma once

#include <optional>

#include "vmx-client/vmrun_args.h"

namespace vmrun {

// Reads argv into `out`. nullopt when vmrun should go on; otherwise the
// exit status, after printing --help or --version (0) or what is wrong (1).
std::optional<int> parseArgs(int argc, const char* const* argv, vmx::VmrunArgs& out);

}  // namespace vmrun
