// Vm: creation (RAM, image, boot state, vCPUs), start, stop, wait and a
// teardown that mirrors setup.
#include "vmm-engine/vm.h"

#include <algorithm>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot_state.h"
#include "kvm_setup.h"
#include "vmm-engine/elf_loader.h"
#include "vmm-engine/hooks.h"
#include "vmm-engine/linux_loader.h"

namespace vmm {

std::string StopInfo::describe() const {
  switch (reason) {
    case StopReason::Running: return "running";
    case StopReason::PowerOff:
      return "power off (code " + std::to_string(exitCode) + ")";
    case StopReason::TripleFault: return "triple fault";
    case StopReason::StopRequest: return "stop requested";
    case StopReason::Error: return "error: " + message;
  }
  return "?";
}

std::unique_ptr<Vm> Vm::create(const VmConfig& config, std::string& error) {
  std::unique_ptr<Vm> vm(new Vm());
  if (!vm->setup(config, error)) return nullptr;
  return vm;
}

bool Vm::setup(const VmConfig& c, std::string& error) {
  config_ = c;
  vendor_ = hostCpuVendor();
  if (c.memMiB < 2 || c.memMiB > 65536) {
    error = "memsize must be between 2 and 65536 MiB";
    return false;
  }
  if (c.numVcpus < 1 || c.numVcpus > kMaxVcpus) {
    error = "numvcpus must be between 1 and " + std::to_string(kMaxVcpus);
    return false;
  }
  if (isLinuxGuest(c) && !c.imagePath.empty()) {
    error = "guest.image and guest.kernel are exclusive: guest.image is the "
            "demo platform's ELF image, guest.kernel a Linux bzImage";
    return false;
  }
  if (isLinuxGuest(c) && c.numVcpus != 1) {
    error = "numvcpus must be 1 for a Linux guest (guest.kernel): its "
            "interrupt controller is a PIC pair, with no local APICs";
    return false;
  }
  if ((kvmFd_ = openKvm(error)) < 0) return false;
  stops_ = chooseBreakpointSupport(kvmFd_, c.preferHltStops);
  memory_ = std::make_unique<GuestMemory>(uint64_t(c.memMiB) << 20);
  if (!memory_->valid()) {
    error = memory_->error();
    return false;
  }
  if ((vmFd_ = createVmWithRam(kvmFd_, *memory_, error)) < 0) return false;
  // SAFETY: queries on our VM fd; a negative result means no capability.
  bool readOnly = ioctl(vmFd_, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
  layout_ = std::make_unique<MemoryLayout>(vmFd_, *memory_, readOnly);
  breakpoints_ = std::make_unique<Breakpoints>(*memory_);
  int sync = ioctl(vmFd_, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
  syncRegsCap_ = sync > 0 ? uint64_t(sync) : 0;
  setupSmm();
  return loadGuest(error) && createVcpus(error);
}

bool Vm::loadGuest(std::string& error) {
  const VmConfig& c = config_;
  if (isLinuxGuest(c)) {
    LinuxBoot boot;
    if (!loadLinuxFiles(c.kernelPath, c.initrdPath, c.cmdline, *memory_, boot,
                        error))
      return false;
    writeLinuxBootTables(*memory_, memory_->size());
    entry_ = boot.entry;  // 1 MiB + 0x200: mapped by the boot tables
    return true;
  }
  LoadedImage image;
  if (!loadElfFile(c.imagePath, *memory_, image, error)) return false;
  if (!bootMapped(image.entry, memory_->size())) {
    error = c.imagePath + ": entry point not mapped by the boot page tables";
    return false;
  }
  entry_ = image.entry;
  imageCode_ = std::move(image.code);
  BootParams bp{memory_->size(), c.numVcpus, c.diskSectors, c.cmdline};
  return writeBootStructures(*memory_, bp, error);
}

void Vm::setInterruptSource(InterruptSource* source) {
  vcpus_.at(0)->source_ = source;
}

bool Vm::createVcpus(std::string& error) {
  for (unsigned i = 0; i < config_.numVcpus; ++i) {
    VcpuHandles h;
    BootKind kind = isLinuxGuest(config_) ? BootKind::Linux : BootKind::Demo;
    if (!createBootVcpu(kvmFd_, vmFd_, i, entry_, kind, h, error)) {
      error = "vcpu " + std::to_string(i) + ": " + error;
      return false;
    }
    vcpus_.push_back(std::make_unique<Vcpu>(*this, i, h.fd, h.run,
                                            h.runSize));
    // Optional: without them only the exits reaching the monitor are known.
    std::string why;
    if (kernelStatsError_.empty() && !vcpus_.back()->openKernelStats(why))
      kernelStatsError_ = why;
  }
  return true;
}

Vm::~Vm() {
  requestStop();
  wait();
  vcpus_.clear();  // vCPU fds and kvm_run mappings
  breakpoints_.reset();  // restores whatever a probe set left planted
  if (vmFd_ >= 0) close(vmFd_);
  memory_.reset();  // after the VM fd: KVM no longer maps it
  if (scratchPage_) munmap(scratchPage_, 4096);  // dropShadowPageTables'
  if (kvmFd_ >= 0) close(kvmFd_);
}

bool Vm::start(std::string& error) {
  std::lock_guard l(mu_);
  if (started_) {
    error = "the VM was already started";
    return false;
  }
  kickSignal();  // install the handler before any thread can be kicked
  started_ = true;
  for (auto& v : vcpus_) {
    std::lock_guard vl(v->mu_);
    v->thread_ = std::thread([vp = v.get()] { vp->threadMain(); });
    v->tid_ = v->thread_.native_handle();
    v->threadLive_.store(true, std::memory_order_release);
    ++live_;
  }
  return true;
}

void Vm::stopWith(StopReason reason, uint32_t code, std::string message) {
  {
    std::lock_guard l(mu_);
    if (stop_.reason == StopReason::Running)
      stop_ = StopInfo{reason, code, std::move(message)};
  }
  for (auto& v : vcpus_) v->requestStop();
}

void Vm::requestStop() { stopWith(StopReason::StopRequest, 0, {}); }
void Vm::powerOff(uint32_t code) { stopWith(StopReason::PowerOff, code, {}); }
void Vm::tripleFault() { stopWith(StopReason::TripleFault, 0, {}); }
void Vm::fail(std::string message) {
  stopWith(StopReason::Error, 0, std::move(message));
}

void Vm::vcpuFinished() {
  std::lock_guard l(mu_);
  --live_;
  cv_.notify_all();
}

bool Vm::waitFor(std::chrono::milliseconds timeout, StopInfo& out) {
  std::unique_lock l(mu_);
  if (!cv_.wait_for(l, timeout, [&] { return live_ == 0; })) return false;
  if (started_ && !joined_) {
    joined_ = true;
    for (auto& v : vcpus_) v->thread_.join();  // each has left its loop
  }
  out = stop_;
  return true;
}

StopInfo Vm::wait() {
  StopInfo out;
  while (!waitFor(std::chrono::hours(1), out)) {
  }
  return out;
}

StopInfo Vm::stopInfo() const {
  std::lock_guard l(mu_);
  return stop_;
}

void Vm::setHooks(VmmHooks* hooks) {
  for (auto& v : vcpus_) {
    Vcpu* vp = v.get();
    vp->call([vp, hooks] { vp->setHooks(hooks); });
  }
}

void Vm::stopWorld(const std::function<void()>& fn,
                   const std::function<void(Vcpu&)>& after) {
  // Each vCPU runs a work item that parks it until `fn` is done. The items
  // and this frame share the state below; we wait for every item to leave
  // before returning, so it may live on this stack.
  std::mutex m;
  std::condition_variable cv;
  unsigned parked = 0, left = 0;
  bool release = false;
  std::vector<Vcpu*> notRunning;
  const unsigned n = unsigned(vcpus_.size());
  for (auto& v : vcpus_) {
    Vcpu* vp = v.get();
    vp->post([&, vp] {
      std::unique_lock l(m);
      ++parked;
      cv.notify_all();
      if (vp->onThisThread()) {
        cv.wait(l, [&] { return release; });
        l.unlock();
        if (after) after(*vp);
        l.lock();
      } else {
        notRunning.push_back(vp);  // run inline by post(): nothing to park
      }
      ++left;
      cv.notify_all();
    });
  }
  std::unique_lock l(m);
  cv.wait(l, [&] { return parked == n; });
  l.unlock();
  fn();
  l.lock();
  std::vector<Vcpu*> here = notRunning;
  release = true;
  cv.notify_all();
  l.unlock();
  for (Vcpu* vp : here)
    if (after) after(*vp);
  l.lock();
  cv.wait(l, [&] { return left == n; });
}

void Vm::setSyncRegs(bool gprs, bool sregs) {
  for (auto& v : vcpus_) {
    Vcpu* vp = v.get();
    vp->call([vp, gprs, sregs] { vp->setSyncRegs(gprs, sregs); });
  }
}

ExitCounts Vm::counts() const {
  ExitCounts sum;
  for (auto& v : vcpus_) sum += v->counts();
  return sum;
}

std::map<std::string, uint64_t> Vm::kernelStats() const {
  std::map<std::string, uint64_t> sum;
  if (!kernelStatsError_.empty()) return sum;
  for (auto& v : vcpus_) {
    const auto& descs = v->kernelStatsLayout().descs();
    auto values = v->kernelStats();
    for (const auto& d : descs) {
      auto it = values.find(d.name);
      if (it == values.end()) continue;
      uint64_t& s = sum[d.name];
      s = d.peak() ? std::max(s, it->second) : s + it->second;
    }
  }
  return sum;
}

}  // namespace vmm
