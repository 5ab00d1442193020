// vprobe -l VMX: the probe points the VM offers, as vmrun vprobeListProbes
// prints them.
#include <cstdio>
#include <memory>

#include "tools/vprobe/commands.h"
#include "vmx-client/script_session.h"

namespace vprobe {

int listProbes(const Options& options) {
  std::unique_ptr<vmx::ScriptSession> session;
  std::string error;
  std::vector<std::string> probes;
  if (vmx::ScriptSession::connect(options.vmx, session, error) != vmx::SessionStatus::Ok ||
      session->listProbes(probes, error) != vmx::SessionStatus::Ok) {
    return fail(error);
  }
  for (const auto& p : probes) std::printf("%s\n", p.c_str());
  return 0;
}

}  // namespace vprobe
