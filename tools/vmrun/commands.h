// vmrun's commands: one function per command, one file per function, all
// over the shared request helper below. main() picks one from the table in
// main.cpp, indexed by vmx::VmrunCommand. Each returns the exit status:
// 0 on success, 1 after printing "Error: ..." to stderr.
#pragma once

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "vmx-client/control_client.h"
#include "vmx-client/control_protocol.h"
#include "vmx-client/vm_paths.h"
#include "vmx-client/vmrun_args.h"

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

// Prints each of `lines` on its own line to `out`.
void printLines(const std::vector<std::string>& lines, FILE* out);

// False after printing why, unless `status` is Ok.
bool reportSend(const vmx::VmrunArgs& args, vmx::SendStatus status, const std::string& error);

// Prints the VM's refusal: its diagnostics, then "Error: SENTENCE".
void reportRefusal(const vmx::ErrorReply& refusal);

// Sends one request to the VM named by args.vmx. True with `reply` when
// the VM answered ok; otherwise prints the error (the VM is not running,
// the connection failed, or the VM's refusal with its diagnostics) and
// returns false.
template <class Req>
bool requestVm(const vmx::VmrunArgs& args, const Req& request, typename Req::Reply& reply) {
  vmx::VmPaths paths;
  if (!locateVm(args.vmx, paths)) return false;
  vmx::Response<Req> response;
  std::string error;
  if (!reportSend(args, vmx::sendRequest(paths.socket, request, response, error), error))
    return false;
  if (auto* ok = std::get_if<typename Req::Reply>(&response)) {
    reply = std::move(*ok);
    return true;
  }
  reportRefusal(std::get<vmx::ErrorReply>(response));
  return false;
}

}  // namespace vmrun
