#include "vmx-engine/kvm_machine.h"

#include <sys/stat.h>

#include <cstdio>

#include "vmm-engine/exit_statistics.h"
#include "vmm-engine/host_clock.h"
#include "vmx-client/guest_export.h"
#include "vmx-engine/vmx_log.h"

namespace vmx {

namespace {

constexpr uint64_t kSectorsPerMiB = 2048;

// The disk's capacity: disk0.sizeMB, else the size of the existing file.
bool diskSectors(const VmxConfig& c, uint64_t& sectors, std::string& error) {
  sectors = 0;
  if (c.disk0File.empty()) return true;
  if (c.disk0SizeMB) {
    sectors = c.disk0SizeMB * kSectorsPerMiB;
    return true;
  }
  struct stat st;
  if (stat(c.disk0File.c_str(), &st) != 0) {
    error = "disk " + c.disk0File + " does not exist and disk0.sizeMB does not say how big to make it";
    return false;
  }
  sectors = uint64_t(st.st_size) / 512;
  return true;
}

}  // namespace

std::unique_ptr<KvmMachine> KvmMachine::create(const VmxConfig& config, std::string& error) {
  std::unique_ptr<KvmMachine> m(new KvmMachine());
  uint64_t sectors = 0;
  if (!diskSectors(config, sectors, error)) return nullptr;
  vmm::VmConfig vc;
  vc.memMiB = config.memsizeMiB;
  vc.numVcpus = config.numVcpus;
  vc.imagePath = config.guestImage;
  vc.kernelPath = config.guestKernel;
  vc.initrdPath = config.guestInitrd;
  vc.cmdline = config.guestCmdline;
  vc.diskSectors = sectors;
  m->vm_ = vmm::Vm::create(vc, error);
  if (!m->vm_) return nullptr;
  // Which stop the dynamic probes plant on this host, and why (the
  // self-test of breakpoint_mechanism.h): users comparing hosts read it.
  const vmm::BreakpointSupport& stops = m->vm_->breakpointSupport();
  logLine(std::string("guest probe stops: ") + stops.describe() + " (self-test: " + stops.detail + ")");
  if (!m->vm_->kernelStatsError().empty()) {
    logLine("KVM's exit statistics are not available (" + m->vm_->kernelStatsError() +
            "; needs KVM_CAP_BINARY_STATS_FD, Linux 5.14): only the exits that reach the monitor are counted");
  }
  if (!config.disk0File.empty()) {
    bool cleared = false;
    if (!clearGuestExport(config.disk0File, cleared, error)) return nullptr;
    if (cleared) logLine("disk0: the previous boot's symbol export cleared (guest_export.h)");
  }
  DeviceConfig dc{config.serial0File, config.disk0File, sectors,
                  !config.guestKernel.empty(), config.serial1File,
                  [](const std::string& line) { logLine(line); },
                  config.ethernet0Present, config.ethernet0Mac};
  m->devices_ = DeviceSet::attach(*m->vm_, dc, error);
  if (!m->devices_) return nullptr;
  vmm::tscHz();  // measured now, not inside the first probe that reads TSC_HZ
  return m;
}

KvmMachine::~KvmMachine() {
  if (vm_) vm_->requestStop();
  if (vm_) vm_->wait();
  devices_.reset();
  vm_.reset();
}

void KvmMachine::requestStop() {
  stopping_ = true;
  vm_->requestStop();
}

int KvmMachine::waitStopped() {
  vmm::StopInfo why = vm_->wait();
  stopped_ = true;
  std::fprintf(stderr, "vmx: the virtual machine stopped: %s\n", why.describe().c_str());
  switch (why.reason) {
    case vmm::StopReason::PowerOff: return int(why.exitCode & 0xff);
    case vmm::StopReason::StopRequest: return 0;
    case vmm::StopReason::TripleFault: return 3;
    default: return 1;
  }
}

namespace {

std::vector<vmm::ExitStatRow> rowsOf(const vmm::Vm& vm) {
  bool hltStops = vm.breakpointSupport().mechanism == vmm::BreakpointMechanism::HaltExit;
  return vmm::exitStatistics(vm.counts(), vm.kernelStats(), hltStops);
}

}  // namespace

std::string KvmMachine::exitSummary() const {
  std::string s = vm_->counts().summary();
  std::string kvm = vmm::kernelExitSummary(rowsOf(*vm_));
  return kvm.empty() ? s : s + "; " + kvm;
}

std::vector<std::pair<std::string, uint64_t>> KvmMachine::exitStatistics() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto& r : rowsOf(*vm_)) out.emplace_back(r.name, r.value);
  return out;
}

MachineState KvmMachine::state() const {
  if (stopped_) return MachineState::Stopped;
  if (stopping_ || vm_->stopInfo().reason != vmm::StopReason::Running) return MachineState::Stopping;
  return MachineState::Running;
}

}  // namespace vmx
