#include "vmx-engine/src/probes/loaded_script.h"

#include "vmx-engine/vmx_log.h"

namespace vmx {

namespace {

bool hasSource(const vp::Script& s, vp::Source source) {
  for (size_t i = 0; i < size_t(vp::StaticProbe::Count); ++i) {
    vp::StaticProbe p{uint8_t(i)};
    if (vp::staticProbeInfo(p).source == source && !s.probesOn(p).empty()) return true;
  }
  return false;
}

// The period of a periodic probe (USEC:, or a static probe's row), 0 for
// the others.
uint64_t periodUs(const vp::ProbePoint& p) {
  if (p.kind == vp::ProbePoint::Kind::Usec) return p.value;
  if (p.kind != vp::ProbePoint::Kind::Static) return 0;
  const vp::StaticProbeInfo& info = vp::staticProbeInfo(p.staticId);
  return info.source == vp::Source::Periodic ? info.param : 0;
}

}  // namespace

LoadedScript::LoadedScript(std::unique_ptr<vp::Script> script, vmm::Vm& vm, DiskIoSource* disk,
                           NetPacketSource* net, std::function<void()> onExit, vmm::GuestProbePlan guest,
                           vmm::GuestProbes::Report report)
    : script_(std::move(script)),
      disk_(disk),
      net_(net),
      onExit_(std::move(onExit)),
      control_(vm),
      timer_(vm),
      diskThread_(vm),
      netThread_(vm) {
  controlCtx_ = script_->newContext(control_, 0, false);
  timerCtx_ = script_->newContext(timer_, 1, false);
  diskCtx_ = script_->newContext(diskThread_, 2, false);
  netCtx_ = script_->newContext(netThread_, 3, false);
  vmm_ = std::make_unique<vmm::VmmProbes>(vm, *script_, [this] { exitRequested(); },
                                          std::move(guest), std::move(report));
  // Fault injection (destructive built-ins) leaves its trace in vmx.log.
  vmm_->logChangesTo([](const std::string& line) { logLine(line); });
  hasDiskProbes_ = hasSource(*script_, vp::Source::Disk);
  hasNetProbes_ = hasSource(*script_, vp::Source::Net);
  clock_ = std::make_unique<PeriodicTimer>(periodicEntries());
}

LoadedScript::~LoadedScript() = default;

void LoadedScript::exitRequested() {
  if (!exited_.exchange(true)) onExit_();
}

void LoadedScript::fireVmx(vp::Context& ctx, vp::StaticProbe probe,
                           std::span<const uint64_t> args) {
  for (uint32_t i : script_->probesOn(probe)) {
    if (exited_.load(std::memory_order_relaxed) && probe != vp::StaticProbe::VMXUnload) return;
    if (script_->fire(ctx, i, args) == vp::FireStatus::Exit) exitRequested();
  }
}

std::vector<PeriodicTimer::Entry> LoadedScript::periodicEntries() {
  using std::chrono::microseconds;
  std::vector<PeriodicTimer::Entry> entries;
  const auto& probes = script_->probes();
  for (size_t i = 0; i < probes.size(); ++i) {
    uint64_t us = periodUs(probes[i]);
    if (!us) continue;
    if (probes[i].domain() == vp::Domain::Vmx) {
      entries.push_back({microseconds(us), [this, i] {
                           if (!exited_.load() &&
                               script_->fire(*timerCtx_, i, {}) == vp::FireStatus::Exit) {
                             exitRequested();
                           }
                         }});
      continue;
    }
    auto plan = vmm::periodic::planFor(microseconds(us));
    entries.push_back({microseconds(us), [this, i] {
                         if (!exited_.load()) vmm_->firePeriodic(i);
                       }});
    entries.push_back({microseconds(us),
                       [this, i, plan] {
                         if (!exited_.load()) vmm_->checkPeriodic(i, plan);
                       },
                       plan.check});
  }
  // Exception probes follow the guest's IDT (guest_probes.h): a guest that
  // loads or changes it is noticed within this period.
  if (vmm_->guestProbes()) {
    entries.push_back({std::chrono::milliseconds(200), [this] {
                         if (!exited_.load()) vmm_->refreshGuestProbes();
                       }});
  }
  return entries;
}

void LoadedScript::load() {
  fireVmx(*controlCtx_, vp::StaticProbe::VMXLoad, {});
  vmm_->load();
  if (hasDiskProbes_ && disk_) disk_->setHooks(this);
  if (hasNetProbes_ && net_) net_->setHooks(this);
  clock_->start();
}

void LoadedScript::unload() {
  clock_->stop();
  if (hasDiskProbes_ && disk_) disk_->setHooks(nullptr);
  if (hasNetProbes_ && net_) net_->setHooks(nullptr);
  vmm_->unload();
  fireVmx(*controlCtx_, vp::StaticProbe::VMXUnload, {});
  for (auto* ctx : {controlCtx_.get(), timerCtx_.get(), diskCtx_.get(), netCtx_.get()}) ctx->flush();
}

void LoadedScript::onIoStart(const DiskIoEvent& e) {
  auto args = e.args();
  fireVmx(*diskCtx_, vp::StaticProbe::Disk_IOStart, args);
}

void LoadedScript::onIoFinish(const DiskIoEvent& e) {
  auto args = e.args();
  fireVmx(*diskCtx_, vp::StaticProbe::Disk_IOFinish, args);
}

void LoadedScript::onSend(const NetPacketEvent& e) {
  auto args = e.args();
  fireVmx(*netCtx_, vp::StaticProbe::MAC_SendPacket, args);
}

void LoadedScript::onReceive(const NetPacketEvent& e) {
  auto args = e.args();
  fireVmx(*netCtx_, vp::StaticProbe::MAC_ReceivePacket, args);
}

}  // namespace vmx
