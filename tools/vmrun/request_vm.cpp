// The shared send helper of every vmrun command that talks to a VM.
#include <cstdio>

#include "tools/vmrun/commands.h"
#include "vmx-engine/control_client.h"

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

void printLines(const nlohmann::json& reply, const char* field, FILE* out) {
  auto it = reply.find(field);
  if (it == reply.end() || !it->is_array()) return;
  for (const auto& line : *it) {
    if (line.is_string()) std::fprintf(out, "%s\n", line.get<std::string>().c_str());
  }
}

bool requestVm(const vmx::VmrunArgs& args, vmx::MessageType type,
               const nlohmann::json& fields, nlohmann::json& reply) {
  vmx::VmPaths paths;
  if (!locateVm(args.vmx, paths)) return false;
  std::string error;
  switch (vmx::sendRequest(paths.socket, type, fields, reply, error)) {
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
  // decodeReply checked that "ok" is a bool and, when false, "error" a string.
  if (reply.at("ok").get<bool>()) return true;
  printLines(reply, "diagnostics", stderr);
  std::fprintf(stderr, "Error: %s\n", reply.at("error").get<std::string>().c_str());
  return false;
}

}  // namespace vmrun
