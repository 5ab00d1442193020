// Runs a script against synthetic targets, the way `vp run` does: fires
// VMMLoad and VMXLoad, then events, then VMMUnload and VMXUnload. VMM-domain
// probes fire on the vCPU context, VMX-domain ones on a VMX context.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vp/synthetic_target.h"
#include "vp/vp.h"

namespace vp {

// One event of `vp run`: PROBE[xCOUNT][:V0,V1,...]
struct Event {
  ProbePoint point;
  uint64_t count = 1;
  std::vector<uint64_t> args;
};

// Parses an event; false with a message on a malformed one.
bool parseEvent(std::string_view text, Event& out, std::string& error);

class SyntheticHost {
 public:
  SyntheticHost(Script& script, SyntheticTarget& vcpu, SyntheticTarget& vmx, int vcpuId);
  // Each returns false once the script has called (exit).
  bool start();
  bool fire(const Event& e);
  void finish();  // unload probes, then the pending output
  bool exited() const { return exited_; }
  size_t errors() const { return errors_; }

 private:
  bool fireMatching(const ProbePoint& point, const std::vector<uint64_t>& args);
  void fireOne(size_t index, const std::vector<uint64_t>& args);

  Script& script_;
  SyntheticTarget& vcpuTarget_;
  SyntheticTarget& vmxTarget_;
  std::unique_ptr<Context> vcpu_, vmx_;
  bool exited_ = false;
  size_t errors_ = 0;
};

}  // namespace vp
