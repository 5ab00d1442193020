// Per-vCPU timer, I/O ports 0x500 (period, µs, 32-bit) and 0x504 (vector,
// 8-bit), docs/platform.md. One thread per VM sleeps until the earliest
// deadline and raises the vector on that vCPU (Vcpu::raiseInterrupt, which
// kicks it out of KVM_RUN or wakes it from HLT).
#include <chrono>
#include <cstring>

#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"

namespace vmx {

using Clock = std::chrono::steady_clock;

struct TimerDevice::PerVcpu {
  uint32_t periodUs = 0;  // 0: stopped
  uint8_t vector = 0;     // 0: not set yet
  Clock::time_point next;
  std::atomic<uint64_t> ticks{0};
};

namespace {
constexpr uint16_t kPeriod = 0, kVector = 4;
}  // namespace

TimerDevice::TimerDevice(vmm::Vm& vm) : vm_(vm) {
  for (unsigned i = 0; i < vm.numVcpus(); ++i)
    cpus_.push_back(std::make_unique<PerVcpu>());
  thread_ = std::thread([this] { threadMain(); });
}

TimerDevice::~TimerDevice() {
  {
    std::lock_guard l(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t TimerDevice::ticks(unsigned vcpu) const {
  return vcpu < cpus_.size() ? cpus_[vcpu]->ticks.load() : 0;
}

void TimerDevice::in(vmm::Vcpu& vcpu, uint16_t offset, uint8_t* data,
                     unsigned size) {
  std::lock_guard l(mu_);
  const PerVcpu& c = *cpus_[vcpu.index()];
  uint32_t v = offset == kPeriod ? c.periodUs
               : offset == kVector ? c.vector
                                   : 0;
  ioStore(data, size, v);
}

void TimerDevice::out(vmm::Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                      unsigned size) {
  uint32_t v = ioValue(data, size);
  std::lock_guard l(mu_);
  PerVcpu& c = *cpus_[vcpu.index()];
  if (offset == kVector) {
    if (v >= 32 && v <= 255) c.vector = uint8_t(v);  // exceptions: refused
  } else if (offset == kPeriod) {
    c.periodUs = v == 0 ? 0 : std::max(v, kMinPeriodUs);
    c.next = Clock::now() + std::chrono::microseconds(c.periodUs);
  } else {
    return;
  }
  cv_.notify_all();  // the earliest deadline may have changed
}

void TimerDevice::threadMain() {
  std::unique_lock l(mu_);
  while (!quit_) {
    Clock::time_point now = Clock::now(), wake = now + std::chrono::hours(1);
    for (unsigned i = 0; i < cpus_.size(); ++i) {
      PerVcpu& c = *cpus_[i];
      if (!c.periodUs || !c.vector) continue;
      if (c.next <= now) {
        vm_.vcpu(i).raiseInterrupt(c.vector);  // merges with a pending one
        c.ticks.fetch_add(1, std::memory_order_relaxed);
        auto period = std::chrono::microseconds(c.periodUs);
        c.next += period;
        if (c.next <= now) c.next = now + period;  // late: do not replay
      }
      wake = std::min(wake, c.next);
    }
    cv_.wait_until(l, wake);
  }
}

}  // namespace vmx
