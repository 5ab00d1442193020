// The shared send helper of every vmrun command that talks to a VM.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

bool locateVm(const std::string& vmx, vmx::VmPaths& out) {
  std::string canonical, error;
  if (!vmx::canonicalPath(vmx, canonical, error)) {
    std::fprintf(stderr, "Error: Cannot open VM: %s: %s\n", vmx.c_str(), error.c_str());
    return false;
  }
  out = vmx::vmPathsFor(canonical, vmx::defaultRuntimeDir());
  return true;
}

void printLines(const std::vector<std::string>& lines, FILE* out) {
  for (const auto& line : lines) std::fprintf(out, "%s\n", line.c_str());
}

bool reportSend(const vmx::VmrunArgs& args, vmx::SendStatus status, const std::string& error) {
  switch (status) {
    case vmx::SendStatus::NotRunning:
      std::fprintf(stderr, "Error: The virtual machine is not powered on: %s\n",
                   args.vmx.c_str());
      return false;
    case vmx::SendStatus::Failed:
      std::fprintf(stderr, "Error: %s: %s\n", args.vmx.c_str(), error.c_str());
      return false;
    case vmx::SendStatus::Ok:
      break;
  }
  return true;
}

void reportRefusal(const vmx::ErrorReply& refusal) {
  printLines(refusal.diagnostics, stderr);
  std::fprintf(stderr, "Error: %s\n", refusal.error.c_str());
}

}  // namespace vmrun
