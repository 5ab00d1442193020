// vmrun's commands: one function per command, one file per function, all
// over the shared request helper below. main() picks one from the table in
// main.cpp, indexed by vmx::VmrunCommand. Each returns the exit status:
// 0 on success, 1 after printing "Error: ..." to stderr.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "vmx-engine/control_protocol.h"
#include "vmx-engine/vm_paths.h"
#include "vmx-engine/vmrun_args.h"

namespace vmrun {

int start(const vmx::VmrunArgs& args);
int stop(const vmx::VmrunArgs& args);
int list(const vmx::VmrunArgs& args);
int vprobeLoad(const vmx::VmrunArgs& args);
int vprobeLoadFile(const vmx::VmrunArgs& args);
int vprobeReset(const vmx::VmrunArgs& args);
int vprobeListProbes(const vmx::VmrunArgs& args);
int vprobeListGlobals(const vmx::VmrunArgs& args);
int vprobeVersion(const vmx::VmrunArgs& args);
int getGuestSymbols(const vmx::VmrunArgs& args);
int vprobeStats(const vmx::VmrunArgs& args);

// Where the VM named on the command line keeps its files; false after
// printing an error if the .vmx cannot be found.
bool locateVm(const std::string& vmx, vmx::VmPaths& out);

// Sends one request to the VM named by args.vmx. True with `reply` when
// the VM answered ok; otherwise prints the error (the VM is not running,
// the connection failed, or the VM's refusal with its diagnostics) and
// returns false.
bool requestVm(const vmx::VmrunArgs& args, vmx::MessageType type,
               const nlohmann::json& fields, nlohmann::json& reply);

// Prints each string of reply[field] on its own line to `out`.
void printLines(const nlohmann::json& reply, const char* field, FILE* out);

}  // namespace vmrun
