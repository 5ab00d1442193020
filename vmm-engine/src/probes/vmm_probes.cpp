#include "vmm-engine/vmm_probes.h"

#include "vmm-engine/periodic_owed.h"
#include "vmm-engine/vm.h"

namespace vmm {

namespace {

// Probes fired from the exit path, the SMI path and the SMM stops
// (smm_stops.h): their presence arms the hooks.
bool needsHooks(vp::StaticProbe p) {
  vp::Source s = vp::staticProbeInfo(p).source;
  return s == vp::Source::Exit || s == vp::Source::Smm;
}

}  // namespace

VmmProbes::VmmProbes(Vm& vm, vp::Script& script, std::function<void()> onExitRequest,
                     GuestProbePlan guest, GuestProbes::Report report)
    : vm_(vm), script_(script), onExitRequest_(std::move(onExitRequest)) {
  const auto& probes = script.probes();
  for (size_t p = 0; p < size_t(vp::StaticProbe::Count); ++p)
    needsHooks_ = needsHooks_ || (needsHooks(vp::StaticProbe(p)) && !list(vp::StaticProbe(p)).empty());
  makeSmmStops();
  for (unsigned i = 0; i < vm.numVcpus(); ++i) {
    auto cpu = std::make_unique<PerVcpu>(PerVcpu{VcpuTarget(vm.vcpu(i), vm.numVcpus()), nullptr,
                                                 std::make_unique<std::atomic<uint8_t>[]>(probes.size())});
    cpu->ctx = script.newContext(cpu->target, int(i), true);
    cpus_.push_back(std::move(cpu));
  }
  if (!guest.empty()) {
    if (!report) report = [](const std::string&) {};
    guest_ = std::make_unique<GuestProbes>(
        vm, std::move(guest),
        [this](Vcpu& v, uint32_t p, std::span<const uint64_t> args, const RegisterView* view) {
          fire(v, p, args, view);
        },
        std::move(report));
  }
}

VmmProbes::~VmmProbes() {
  if (armed_) vm_.setHooks(nullptr);
  guest_.reset();  // disarms: before the contexts its fires use
}

void VmmProbes::logChangesTo(const VcpuTarget::ChangeLog& log) {
  for (auto& cpu : cpus_) cpu->target.setChangeLog(log);
}

void VmmProbes::fire(Vcpu& v, size_t probe, std::span<const uint64_t> args,
                     const RegisterView* view) {
  if (stopped_.load(std::memory_order_relaxed)) return;
  PerVcpu& cpu = *cpus_[v.index()];
  cpu.target.setView(view);
  vp::FireStatus s = script_.fire(*cpu.ctx, probe, args);
  cpu.target.setView(nullptr);
  if (s == vp::FireStatus::Exit && !stopped_.exchange(true)) onExitRequest_();
}

void VmmProbes::fireList(Vcpu& v, ProbeList list, std::span<const uint64_t> args) {
  for (uint32_t p : list) fire(v, p, args);
}

void VmmProbes::load() {
  // Registers the probes read: KVM hands them over at every exit rather
  // than one ioctl per group per fire.
  // Guest probes read both at every hit (RIP, the page tables).
  uint32_t groups = script_.registerGroups();
  vm_.setSyncRegs(guest_ || (groups & (1u << unsigned(vp::RegGroup::Gpr))),
                  guest_ || (groups & (1u << unsigned(vp::RegGroup::Sreg))));
  for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
    Vcpu& v = vm_.vcpu(i);
    v.call([&] { fireList(v, list(vp::StaticProbe::VMMLoad), {}); });
  }
  // Hooks first: a page held back for a data probe fires HV_NPF from its
  // first exit on, and loses it only after it is given back (unload).
  if (needsHooks_) {
    vm_.setHooks(this);
    armed_ = true;
  }
  if (guest_) guest_->arm();
}

void VmmProbes::unload() {
  // The SMM stops go back while the hooks that take them are still there.
  if (smm_)
    for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
      Vcpu& v = vm_.vcpu(i);
      v.call([&] { smm_->disarm(v); });
    }
  if (guest_) guest_->disarm();
  if (armed_) {
    vm_.setHooks(nullptr);
    armed_ = false;
  }
  // From here on only the unload probes fire, even after (exit): that is
  // how a script learns it is going away. call() runs after every item
  // posted before it, postAtNextKick() ones included, so queued periodic
  // fires are over (and do nothing) by the time VMMUnload runs.
  stopped_.store(true);
  for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
    Vcpu& v = vm_.vcpu(i);
    v.call([&] {
      for (uint32_t p : list(vp::StaticProbe::VMMUnload)) script_.fire(*cpus_[i]->ctx, p, {});
      cpus_[i]->ctx->flush();
    });
  }
  vm_.setSyncRegs(false, false);
}

void VmmProbes::refreshGuestProbes() {
  if (guest_ && !stopped_.load()) guest_->refresh();
}

void VmmProbes::firePeriodic(size_t probe) {
  if (stopped_.load(std::memory_order_relaxed)) return;
  for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
    PerVcpu& cpu = *cpus_[i];
    Vcpu& v = vm_.vcpu(i);
    switch (periodic::tick(cpu.owed[probe])) {
      case periodic::Tick::Queue: queuePeriodic(v, cpu, probe); break;
      case periodic::Tick::Wait: break;
      case periodic::Tick::Skip:
        skipped_.fetch_add(1, std::memory_order_relaxed);
        v.hurry();
        break;
    }
  }
}

void VmmProbes::checkPeriodic(size_t probe, const periodic::Plan& plan) {
  if (stopped_.load(std::memory_order_relaxed)) return;
  for (unsigned i = 0; i < vm_.numVcpus(); ++i)
    if (periodic::overdue(cpus_[i]->owed[probe], plan)) vm_.vcpu(i).hurry();
}

// The one fire item of (vCPU, probe) while fires are owed. unload() runs
// it before VMMUnload (Vcpu::post runs queued items first); it then owes
// nothing and does not queue itself again.
void VmmProbes::queuePeriodic(Vcpu& v, PerVcpu& cpu, size_t probe) {
  v.postAtNextKick([this, &v, &cpu, probe] {
    if (stopped_.load()) {
      cpu.owed[probe].store(0);
      return;
    }
    fire(v, probe, {});
    if (periodic::fired(cpu.owed[probe])) queuePeriodic(v, cpu, probe);
  });
}

void VmmProbes::onExit(Vcpu& v) { fireList(v, list(vp::StaticProbe::HV_Exit), {}); }

void VmmProbes::onResume(Vcpu& v) { fireList(v, list(vp::StaticProbe::HV_Resume), {}); }

void VmmProbes::onIo(Vcpu& v, bool in, uint16_t port, unsigned size, uint32_t count) {
  const uint64_t args[3] = {port, size, count};
  fireList(v, list(in ? vp::StaticProbe::In : vp::StaticProbe::Out), args);
}

// No arguments (table 3-3): the address and the access kind are in the
// exit fields (VT_PHYSICAL_ADDR / VMCB_EXITINFO2, exit_fields.h).
void VmmProbes::onMmio(Vcpu& v, uint64_t, unsigned, bool) {
  fireList(v, list(vp::StaticProbe::HV_NPF), {});
}

void VmmProbes::onInterrupt(Vcpu& v, uint8_t vector) {
  const uint64_t args[1] = {vector};
  fireList(v, list(vp::StaticProbe::Guest_IRQ), args);
}

void VmmProbes::onTripleFault(Vcpu& v) {
  fireList(v, list(vp::StaticProbe::Guest_TripleFault), {});
}

void VmmProbes::makeSmmStops() {
  using SP = vp::StaticProbe;
  if (!vm_.smmSupported() ||
      (list(SP::SMM_SMIPost).empty() && list(SP::SMM_RSMPre).empty() && list(SP::SMM_RSMPost).empty()))
    return;
  smm_ = std::make_unique<SmmStops>(vm_, [this](Vcpu& v, SmmStops::Point p) {
    constexpr SP kProbe[] = {SP::SMM_SMIPost, SP::SMM_RSMPre, SP::SMM_RSMPost};
    fireList(v, list(kProbe[size_t(p)]), {});
  });
}

// SMM_SMIPre first: the probe sees the vCPU at the instruction that
// raised the SMI, before anything is planted.
void VmmProbes::onSmi(Vcpu& v) {
  fireList(v, list(vp::StaticProbe::SMM_SMIPre), {});
  if (smm_ && !stopped_.load(std::memory_order_relaxed)) smm_->onSmi(v);
}

bool VmmProbes::atSmmStop(Vcpu& v) { return smm_ && smm_->atStop(v); }

void VmmProbes::onSmmStop(Vcpu& v) { smm_->onStop(v); }

}  // namespace vmm
