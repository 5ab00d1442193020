// The VMM-domain probes of a loaded VP script: each fires on a vCPU
// thread, with that vCPU's registers (VcpuTarget) and its own VP variables
// (one vp::Context per vCPU).
//
//   VMMLoad / VMMUnload   once per vCPU, from load() / unload()
//   HV_Exit / HV_Resume   every return from / entry to KVM_RUN (hooks)
//   In / Out              port I/O exits: ARG0 port, ARG1 size, ARG2 count
//   HV_NPF                KVM_EXIT_MMIO, before it is handled (no ARGn)
//   Guest_IRQ             an interrupt injected: ARG0 vector
//   Guest_TripleFault     KVM_EXIT_SHUTDOWN
//   SMM_SMIPre            Vcpu::raiseSmi(), before KVM_SMI
//   SMM_SMIPost, SMM_RSMPre, SMM_RSMPost
//                         SmmStops (smm_stops.h), planted per SMI
//   VMM1Hz, VMM10Hz, USEC:n   firePeriodic(), driven by the caller's timer
//   GUEST:, GUEST_READ:, GUEST_WRITE:, Guest_<exception>
//                         GuestProbes (guest_probes.h), from the plan the
//                         caller made when the script loaded
//
// The hooks are installed only when the script has a probe that needs
// them, so a script without exit probes costs the exit path nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/periodic_owed.h"
#include "vmm-engine/smm_stops.h"
#include "vmm-engine/hooks.h"
#include "vmm-engine/vcpu_target.h"
#include "vp/vp.h"

namespace vmm {

class Vm;

class VmmProbes : public VmmHooks {
 public:
  // `onExitRequest` runs (on the firing thread) when a probe calls (exit);
  // it must not block or call into this object. `guest` is what
  // planGuestProbes() made of the script; `report` takes the guest probes'
  // runtime problems (one line each, any thread).
  VmmProbes(Vm& vm, vp::Script& script, std::function<void()> onExitRequest,
            GuestProbePlan guest = {}, GuestProbes::Report report = {});
  ~VmmProbes() override;

  // Where the vCPUs log the changes destructive built-ins make (vmx.log).
  // Before load().
  void logChangesTo(const VcpuTarget::ChangeLog& log);

  // Fires VMMLoad on every vCPU, then arms the exit hooks. Not from a vCPU
  // thread.
  void load();
  // Disarms the hooks and the guest probes (every planted byte restored),
  // waits for periodic fires already queued, fires VMMUnload on every
  // vCPU, flushes their output. Not from a vCPU thread.
  void unload();
  // Follows the guest's IDT for the Guest_<exception> probes (and the
  // user-mode probes' #BP trap); the caller's timer calls it. Not from a
  // vCPU thread.
  void refreshGuestProbes();
  const GuestProbes* guestProbes() const { return guest_.get(); }
  // Periodic probes, driven by the caller's timer: firePeriodic(probe)
  // (an index into script.probes()) at the start of every period, and
  // checkPeriodic(probe, plan) at plan.check after it, with the plan of
  // periodic::planFor(period). Each vCPU's fire rides on its next asynchronous
  // exit and gets a kick of its own only when none came within the plan's
  // grace (periodic_owed.h): a fire is up to 1.5 periods (and
  // at most 15 ms) late, and costs no exit on a guest whose timer ticks at
  // least as fast. A vCPU that owes two fires skips the next one (counted
  // in skipped()), so a slow vCPU never builds a backlog.
  void firePeriodic(size_t probe);
  void checkPeriodic(size_t probe, const periodic::Plan& plan);
  uint64_t skipped() const { return skipped_.load(); }
  // After a probe called (exit), nothing fires any more.
  bool exitRequested() const { return stopped_.load(); }

  void onExit(Vcpu&) override;
  void onResume(Vcpu&) override;
  void onIo(Vcpu&, bool in, uint16_t port, unsigned size, uint32_t count) override;
  void onMmio(Vcpu&, uint64_t gpa, unsigned len, bool write) override;
  void onInterrupt(Vcpu&, uint8_t vector) override;
  void onTripleFault(Vcpu&) override;
  void onSmi(Vcpu&) override;
  bool atSmmStop(Vcpu&) override;
  void onSmmStop(Vcpu&) override;

 private:
  struct PerVcpu {
    VcpuTarget target;
    std::unique_ptr<vp::Context> ctx;
    std::unique_ptr<std::atomic<uint8_t>[]> owed;  // per probe: periodic fires owed
  };
  using ProbeList = std::span<const uint32_t>;

  void fireList(Vcpu& v, ProbeList list, std::span<const uint64_t> args);
  void queuePeriodic(Vcpu& v, PerVcpu& cpu, size_t probe);
  void makeSmmStops();
  void fire(Vcpu& v, size_t probe, std::span<const uint64_t> args,
            const RegisterView* view = nullptr);
  // The script's dispatch index (vp::Script::probesOn), shared with the
  // VMX side.
  ProbeList list(vp::StaticProbe p) const { return script_.probesOn(p); }

  Vm& vm_;
  vp::Script& script_;
  std::function<void()> onExitRequest_;
  std::vector<std::unique_ptr<PerVcpu>> cpus_;
  std::unique_ptr<GuestProbes> guest_;  // null when the script has none
  std::unique_ptr<SmmStops> smm_;  // null without SMM or SMM stop probes
  bool needsHooks_ = false;
  bool armed_ = false;
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> skipped_{0};
};

}  // namespace vmm
