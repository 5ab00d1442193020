// vmrun: controls local virtual machines and their VProbes, with VMware's
// vmrun command line (options.h, vmx-client/vmrun_args.h).
#include <iterator>

#include "tools/vmrun/commands.h"
#include "tools/vmrun/options.h"

namespace {

using Command = int (*)(const vmx::VmrunArgs&);

// Indexed by vmx::VmrunCommand.
constexpr Command kCommands[] = {
    vmrun::start,           vmrun::stop,           vmrun::list,
    vmrun::vprobeLoad,      vmrun::vprobeLoadFile, vmrun::vprobeReset,
    vmrun::vprobeListProbes, vmrun::vprobeListGlobals, vmrun::vprobeVersion,
    vmrun::getGuestSymbols,
    vmrun::vprobeStats,
};
static_assert(std::size(kCommands) == static_cast<size_t>(vmx::VmrunCommand::Count));

}  // namespace

int main(int argc, char** argv) {
  vmx::VmrunArgs args;
  if (auto status = vmrun::parseArgs(argc, argv, args)) return *status;
  return kCommands[static_cast<size_t>(args.command)](args);
}
