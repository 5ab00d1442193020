// The control server's handlers: one per request type (control_protocol.h),
// each turning a decoded request into its reply or an error reply. Run on
// the control thread only.
#pragma once

#include <string>
#include <string_view>

#include "vmx-client/control_protocol.h"
#include "vmx-engine/control_server.h"

namespace vmx {

struct ControlState {
  ControlTargets targets;
  bool stopping = false;  // a stop was requested: only status/stop answered
};

// Dispatches one request to its type's handler.
Reply handleRequest(ControlState& state, const Request& request);

// Decodes one request line, handles it, encodes the reply line. Never
// throws: a handler's exception becomes an error reply.
std::string handleLine(ControlState& state, std::string_view line);

// What `vmrun stop` and SIGTERM do: unload the script (its unload probes
// fire while the vCPUs still run), then ask the machine to stop.
void stopVm(ControlState& state);

}  // namespace vmx
