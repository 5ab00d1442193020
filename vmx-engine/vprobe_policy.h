// Whether this VM may load VP scripts: the host must allow VProbes
// (vprobe.allow in the host configuration) and the VM must enable them
// (vprobe.enable in its .vmx). Both are read once, at power-on, as VMware
// reads them; changing either takes a restart of the VM.
#pragma once

#include <string>

#include "vmx-engine/host_config.h"
#include "vmx-client/vmx_config.h"

namespace vmx {

struct VprobePolicy {
  bool allowed = false;        // vprobe.allow of the host configuration
  std::string hostConfigPath;  // where it was looked for
  bool enabled = false;        // vprobe.enable of the .vmx
  std::string vmxPath;

  // Fault injection (the destructive built-ins of VP 1.3), the same way:
  bool faultInjectionAllowed = false;  // vprobe.allowFaultInjection (host)
  bool faultInjectionEnabled = false;  // vprobe.faultInjection (.vmx)

  static VprobePolicy from(const HostConfig& host, const VmxConfig& vm);

  // True when scripts may load; else false with `why`, a sentence that
  // names the setting and the file to change.
  bool mayLoad(std::string& why) const;
  // "" when scripts may call destructive built-ins; else why not, naming
  // the setting and the file to change (vp::Options::faultInjectionOff).
  std::string faultInjectionOff() const;
};

}  // namespace vmx
