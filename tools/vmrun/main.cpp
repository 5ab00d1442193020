// vmrun: controls local virtual machines and their VProbes, with VMware's
// vmrun command line (see vmx-engine/vmrun_args.h).
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "tools/vmrun/commands.h"
#include "vmx-engine/vmrun_args.h"

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
  std::vector<std::string> words(argv + 1, argv + argc);
  vmx::VmrunArgs args;
  std::string error;
  if (!vmx::parseVmrunArgs(words, args, error)) {
    std::fprintf(stderr, "Error: %s\n\n%s", error.c_str(), vmx::vmrunUsage().c_str());
    return 1;
  }
  if (args.help) {
    std::fputs(vmx::vmrunUsage().c_str(), stdout);
    return 0;
  }
  return kCommands[static_cast<size_t>(args.command)](args);
}
