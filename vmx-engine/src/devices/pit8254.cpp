// The 8254 programmable interval timer, ports 0x40-0x43, and port 0x61
// (system control port B: channel 2's gate, its OUT). Intel 8254
// datasheet: control word (channel, access, mode), counter latch, the
// read-back command, the lo/hi byte flip-flop.
#include <cstring>

#include "vmx-engine/devices.h"
#include "vmx-engine/pc_devices.h"

namespace vmx {
namespace {
using Steady = std::chrono::steady_clock;
int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Steady::now().time_since_epoch())
      .count();
}
enum Access : uint8_t { kLatch = 0, kLow = 1, kHigh = 2, kLowHigh = 3 };
constexpr uint16_t kControl = 3;
}  // namespace

struct Pit::Channel {
  uint8_t mode = 0, access = kLowHigh;
  uint32_t count = 0x10000;  // the loaded count (0 written means 65536)
  int64_t start = 0;         // when counting began (ns); -1: not loaded
  bool writeHigh = false;    // lo/hi access: the next write is the high byte
  bool readHigh = false;
  uint8_t writeLow = 0;
  bool latched = false;
  uint16_t latch = 0;
  bool statusLatched = false;
  uint8_t status = 0;
  bool loaded = false;
};

class Pit::PortB : public vmm::IoDevice {
 public:
  explicit PortB(Pit& pit) : pit_(pit) {}
  void in(vmm::Vcpu&, uint16_t, uint8_t* data, unsigned size) override {
    memset(data, 0, size);
    data[0] = pit_.readPortB();
  }
  void out(vmm::Vcpu&, uint16_t, const uint8_t* data, unsigned) override {
    pit_.writePortB(data[0]);
  }

 private:
  Pit& pit_;
};

int64_t Pit::countNs(uint32_t count) {
  uint64_t c = count ? count : 0x10000;
  return int64_t(c * 1000000000ull / kHz);
}

Pit::Pit(IrqLine irq0, NowNs now)
    : irq0_(std::move(irq0)), now_(now ? std::move(now) : NowNs(steadyNs)) {
  for (auto& c : ch_) c = std::make_unique<Channel>();
  portB_ = std::make_unique<PortB>(*this);
  thread_ = std::thread([this] { threadMain(); });
}

Pit::~Pit() {
  {
    std::lock_guard l(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

vmm::IoDevice& Pit::portB() { return *portB_; }

uint64_t Pit::irq0Pulses() const {
  std::lock_guard l(mu_);
  return pulses_;
}

int64_t Pit::ticksSince(const Channel& c, int64_t now) const {
  if (!c.loaded || now < c.start) return 0;
  return int64_t(__int128(now - c.start) * kHz / 1000000000);
}

uint16_t Pit::counterLocked(const Channel& c, int64_t now) const {
  if (!c.loaded) return uint16_t(c.count);
  int64_t t = ticksSince(c, now);
  if (c.mode == 2 || c.mode == 3)  // periodic: counts count..1, reloads
    return uint16_t(c.count - uint64_t(t) % c.count);
  return uint16_t(uint64_t(c.count) - uint64_t(t));  // one-shot: wraps
}

bool Pit::outLocked(const Channel& c, int64_t now) const {
  if (!c.loaded) return c.mode != 0;
  uint64_t t = uint64_t(ticksSince(c, now));
  switch (c.mode) {
    case 0:
    case 1: return t >= c.count;  // high at terminal count
    case 2: return t % c.count != c.count - 1;
    case 3: return t % c.count < (c.count + 1) / 2;
    default: return t != c.count;  // 4, 5: one low strobe
  }
}

// A count was written to channel `ch`: it starts counting, and channel 0
// schedules its interrupt.
void Pit::loadedLocked(unsigned ch, int64_t now) {
  Channel& c = *ch_[ch];
  c.loaded = true;
  c.start = now;
  if (ch != 0) return;
  int64_t steady = steadyNs(), ns = countNs(c.count);
  bool periodic = c.mode == 2 || c.mode == 3;
  period_ = periodic ? std::max(ns, kMinPeriodNs) : 0;
  deadline_ = steady + ns;
  cv_.notify_all();
}

uint8_t Pit::read(uint16_t offset) {
  std::lock_guard l(mu_);
  if (offset >= kControl) return 0xff;  // the control word is write-only
  Channel& c = *ch_[offset];
  if (c.statusLatched) {
    c.statusLatched = false;
    return c.status;
  }
  uint16_t v = c.latched ? c.latch : counterLocked(c, now_());
  uint8_t out;
  if (c.access == kLow) {
    out = uint8_t(v);
    c.latched = false;
  } else if (c.access == kHigh) {
    out = uint8_t(v >> 8);
    c.latched = false;
  } else {
    out = c.readHigh ? uint8_t(v >> 8) : uint8_t(v);
    if (c.readHigh) c.latched = false;
    c.readHigh = !c.readHigh;
  }
  return out;
}

void Pit::write(uint16_t offset, uint8_t v) {
  std::lock_guard l(mu_);
  int64_t now = now_();
  if (offset == kControl) {
    unsigned sel = v >> 6;
    if (sel == 3) {  // read-back: bit 5 clear latches counts, bit 4 status
      for (unsigned i = 0; i < 3; ++i) {
        if (!(v & (2u << i))) continue;
        Channel& c = *ch_[i];
        if (!(v & 0x20) && !c.latched) {
          c.latched = true;
          c.latch = counterLocked(c, now);
        }
        if (!(v & 0x10) && !c.statusLatched) {
          c.statusLatched = true;
          c.status = uint8_t((outLocked(c, now) ? 0x80 : 0) |
                             (c.loaded ? 0 : 0x40) | (c.access << 4) |
                             (c.mode << 1));
        }
      }
      return;
    }
    Channel& c = *ch_[sel];
    uint8_t access = (v >> 4) & 3;
    if (access == kLatch) {
      if (!c.latched) {
        c.latched = true;
        c.latch = counterLocked(c, now);
      }
      return;
    }
    c.access = access;
    c.mode = (v >> 1) & 7;
    if (c.mode > 5) c.mode -= 4;  // 6 and 7 are 2 and 3
    c.writeHigh = c.readHigh = c.latched = false;
    c.loaded = false;  // a new mode waits for its count
    if (sel == 0) deadline_ = period_ = 0;
    cv_.notify_all();
    return;
  }
  Channel& c = *ch_[offset];
  uint32_t count;
  if (c.access == kLow) {
    count = v;
  } else if (c.access == kHigh) {
    count = uint32_t(v) << 8;
  } else if (!c.writeHigh) {
    c.writeLow = v;
    c.writeHigh = true;
    return;
  } else {
    count = c.writeLow | uint32_t(v) << 8;
    c.writeHigh = false;
  }
  c.count = count ? count : 0x10000;
  if (c.mode == 3 && c.count == 1) c.count = 2;  // mode 3 needs 2 or more
  if (c.mode == 2 && c.count == 1) c.count = 2;
  loadedLocked(offset, now);
}

uint8_t Pit::readPortB() {
  std::lock_guard l(mu_);
  refresh_ = !refresh_;  // bit 4 toggles with DRAM refresh
  bool out2 = (portBBits_ & 1) && outLocked(*ch_[2], now_());
  return uint8_t((portBBits_ & 3) | (refresh_ ? 0x10 : 0) | (out2 ? 0x20 : 0));
}

void Pit::writePortB(uint8_t v) {
  std::lock_guard l(mu_);
  bool rising = (v & 1) && !(portBBits_ & 1);
  portBBits_ = v & 3;
  // Channel 2 starts counting when its gate rises (modes 1 and 5 are
  // triggered by it; the others count while it is high).
  if (rising && ch_[2]->loaded) ch_[2]->start = now_();
}

void Pit::in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) {
  memset(data, 0, size);
  data[0] = read(offset);
}

void Pit::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data, unsigned) {
  write(offset, data[0]);
}

void Pit::threadMain() {
  std::unique_lock l(mu_);
  while (!quit_) {
    int64_t now = steadyNs();
    if (deadline_ && now >= deadline_) {
      deadline_ = period_ ? deadline_ + period_ : 0;
      if (deadline_ && deadline_ <= now) deadline_ = now + period_;  // late
      ++pulses_;
      l.unlock();
      irq0_(0, true);  // OUT rises: the PIC latches IRQ 0
      irq0_(0, false);
      l.lock();
      continue;
    }
    if (deadline_)
      cv_.wait_for(l, std::chrono::nanoseconds(deadline_ - now));
    else
      cv_.wait(l);
  }
}

}  // namespace vmx
