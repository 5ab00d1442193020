// One loaded VP script, armed in a running VM: its VMM-domain probes
// (vmm::VmmProbes, one context per vCPU), its VMX-domain probes (a context
// per VMX thread that fires: the control thread, the periodic timer, the
// disk's device thread, the network adapter's device thread) and the timer that drives periodic probes.
// Both sides fire from the script's one dispatch index (vp::Script::probesOn);
// which probes exist, their domains, periods and sources are the rows of
// VP_STATIC_PROBES (vp/probe_point.h).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "vmm-engine/vm.h"
#include "vmm-engine/vmm_probes.h"
#include "vmx-engine/devices.h"
#include "vmx-engine/net_hooks.h"
#include "vmx-engine/src/probes/periodic_timer.h"
#include "vmx-engine/src/probes/vmx_thread_target.h"
#include "vp/vp.h"

namespace vmx {

class LoadedScript : public DiskHooks, public NetHooks {
 public:
  // `onExit` runs when a probe calls (exit), on the thread that fired it;
  // it must not block. `guest` is the script's guest probes as
  // vmm::planGuestProbes checked them; `report` takes their runtime
  // problems (one line each, for vprobe.err).
  // `disk`, `net`: may be null (no such device).
  LoadedScript(std::unique_ptr<vp::Script> script, vmm::Vm& vm, DiskIoSource* disk,
               NetPacketSource* net, std::function<void()> onExit, vmm::GuestProbePlan guest = {},
               vmm::GuestProbes::Report report = {});
  ~LoadedScript() override;

  // VMXLoad on the calling thread, VMMLoad on every vCPU, then arms the
  // exit hooks, the disk hooks and the timer.
  void load();
  // Disarms everything, then VMMUnload on every vCPU and VMXUnload on the
  // calling thread; output is flushed.
  void unload();

  void onIoStart(const DiskIoEvent& e) override;
  void onIoFinish(const DiskIoEvent& e) override;
  void onSend(const NetPacketEvent& e) override;
  void onReceive(const NetPacketEvent& e) override;

 private:
  void fireVmx(vp::Context& ctx, vp::StaticProbe probe, std::span<const uint64_t> args);
  std::vector<PeriodicTimer::Entry> periodicEntries();
  void exitRequested();

  std::unique_ptr<vp::Script> script_;
  DiskIoSource* disk_;
  NetPacketSource* net_;
  std::function<void()> onExit_;
  std::atomic<bool> exited_{false};
  VmxThreadTarget control_, timer_, diskThread_, netThread_;
  std::unique_ptr<vp::Context> controlCtx_, timerCtx_, diskCtx_, netCtx_;
  std::unique_ptr<vmm::VmmProbes> vmm_;
  std::unique_ptr<PeriodicTimer> clock_;
  bool hasDiskProbes_ = false, hasNetProbes_ = false;
};

}  // namespace vmx
