// Two cascaded 8259A programmable interrupt controllers: master at ports
// 0x20/0x21, slave at 0xa0/0xa1, the slave's INT on the master's IR2
// (Intel 8259A datasheet: ICW1-4, OCW1-3, priority resolution).
#include <cstring>

#include "vmx-engine/devices.h"
#include "vmx-engine/pc_devices.h"

namespace vmx {

struct PicPair::Chip {
  uint8_t irr = 0, isr = 0, imr = 0xff, lastLevel = 0;
  uint8_t base = 0;
  uint8_t lowest = 7;  // the lowest-priority line (rotation)
  uint8_t icwStep = 0;  // 0: initialized; 1-3: expecting ICW2-ICW4
  bool icw4 = false, single = false, autoEoi = false, rotateAutoEoi = false;
  bool readIsr = false, poll = false, specialMask = false;
};

// The bus view of one chip's two ports.
class PicPair::Ports : public vmm::IoDevice {
 public:
  Ports(PicPair& pic, unsigned chip) : pic_(pic), chip_(chip) {}
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override {
    memset(data, 0, size);
    data[0] = pic_.read(chip_, offset);
  }
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned) override {
    pic_.write(chip_, offset, data[0]);
  }

 private:
  PicPair& pic_;
  unsigned chip_;
};

namespace {
constexpr unsigned kCascadeLine = 2, kSpuriousLine = 7;

// Rank of the highest-priority set bit of `bits` (0 = highest priority,
// the line after `lowest`); 8 when none.
unsigned rank(uint8_t bits, uint8_t lowest) {
  for (unsigned r = 0; r < 8; ++r)
    if (bits & (1u << ((lowest + 1 + r) & 7))) return r;
  return 8;
}
unsigned lineOfRank(unsigned r, uint8_t lowest) { return (lowest + 1 + r) & 7; }

}  // namespace

PicPair::PicPair(std::function<void()> onIntr) : onIntr_(std::move(onIntr)) {
  for (unsigned i = 0; i < 2; ++i) {
    chip_[i] = std::make_unique<Chip>();
    ports_[i] = std::make_unique<Ports>(*this, i);
  }
}

PicPair::~PicPair() = default;

vmm::IoDevice& PicPair::ports(unsigned chip) { return *ports_[chip & 1]; }

// The line the chip would interrupt for now, or -1: the highest-priority
// unmasked request above every in-service line (fully nested mode; in
// special mask mode masked in-service lines do not block).
int PicPair::requestLocked(const Chip& c) const {
  uint8_t pending = c.irr & ~c.imr;
  if (!pending) return -1;
  unsigned want = rank(pending, c.lowest);
  uint8_t inService = c.specialMask ? uint8_t(c.isr & ~c.imr) : c.isr;
  if (want >= rank(inService, c.lowest)) return -1;
  return int(lineOfRank(want, c.lowest));
}

void PicPair::cascadeLocked() {
  Chip& m = *chip_[0];
  bool level = !m.single && requestLocked(*chip_[1]) >= 0;
  uint8_t bit = 1u << kCascadeLine;
  if (level && !(m.lastLevel & bit)) m.irr |= bit;
  m.lastLevel = uint8_t(level ? m.lastLevel | bit : m.lastLevel & ~bit);
}

void PicPair::changed(std::unique_lock<std::mutex>& l) {
  cascadeLocked();
  bool intr = requestLocked(*chip_[0]) >= 0;
  l.unlock();
  if (intr && onIntr_) onIntr_();
}

void PicPair::setIrq(unsigned line, bool level) {
  if (line >= 16) return;
  std::unique_lock l(mu_);
  Chip& c = *chip_[line / 8];
  uint8_t bit = uint8_t(1u << (line % 8));
  if (level && !(c.lastLevel & bit)) c.irr |= bit;
  c.lastLevel = uint8_t(level ? c.lastLevel | bit : c.lastLevel & ~bit);
  changed(l);
}

bool PicPair::interruptRequested() {
  std::lock_guard l(mu_);
  return requestLocked(*chip_[0]) >= 0;
}

namespace {
// INTA on one chip for `line`: IRR to ISR (or, with auto EOI, ended at
// once).
void ackChip(PicPair::Chip& c, unsigned line) {
  uint8_t bit = uint8_t(1u << line);
  c.irr &= uint8_t(~bit);
  if (!c.autoEoi)
    c.isr |= bit;
  else if (c.rotateAutoEoi)
    c.lowest = uint8_t(line);
}
}  // namespace

int PicPair::acknowledge() {
  std::unique_lock l(mu_);
  Chip& m = *chip_[0];
  Chip& s = *chip_[1];
  int line = requestLocked(m);
  int vector;
  if (line < 0) {
    vector = m.base + kSpuriousLine;  // the request went away: spurious
  } else if (unsigned(line) == kCascadeLine && !m.single) {
    int sl = requestLocked(s);
    ackChip(m, kCascadeLine);
    if (sl < 0) {
      vector = s.base + kSpuriousLine;
    } else {
      ackChip(s, unsigned(sl));
      vector = s.base + sl;
    }
  } else {
    ackChip(m, unsigned(line));
    vector = m.base + line;
  }
  changed(l);
  return vector;
}

namespace {
void initCommand(PicPair::Chip& c, uint8_t v) {  // ICW1
  uint8_t base = c.base;
  c = PicPair::Chip{};
  c.base = base;
  c.imr = 0;  // ICW1 clears the mask
  c.icw4 = v & 1;
  c.single = v & 2;
  c.icwStep = 1;
}

void eoi(PicPair::Chip& c, uint8_t v) {  // OCW2
  unsigned cmd = v >> 5, line = v & 7;
  auto highestInService = [&]() -> int {
    unsigned r = rank(c.isr, c.lowest);
    return r == 8 ? -1 : int(lineOfRank(r, c.lowest));
  };
  switch (cmd) {
    case 1:    // non-specific EOI
    case 5: {  // rotate on non-specific EOI
      int h = highestInService();
      if (h < 0) break;
      c.isr &= uint8_t(~(1u << h));
      if (cmd == 5) c.lowest = uint8_t(h);
      break;
    }
    case 3:  // specific EOI
    case 7:  // rotate on specific EOI
      c.isr &= uint8_t(~(1u << line));
      if (cmd == 7) c.lowest = uint8_t(line);
      break;
    case 6: c.lowest = uint8_t(line); break;   // set priority
    case 4: c.rotateAutoEoi = true; break;
    case 0: c.rotateAutoEoi = false; break;
    default: break;  // 2: no operation
  }
}

void command(PicPair::Chip& c, uint8_t v) {  // OCW3
  if (v & 0x04) c.poll = true;
  if (v & 0x02) c.readIsr = v & 0x01;
  if (v & 0x40) c.specialMask = v & 0x20;
}

void data(PicPair::Chip& c, uint8_t v) {
  switch (c.icwStep) {
    case 1:  // ICW2: vector base
      c.base = v & 0xf8;
      c.icwStep = c.single ? (c.icw4 ? 3 : 0) : 2;
      break;
    case 2:  // ICW3: the cascade wiring is fixed
      c.icwStep = c.icw4 ? 3 : 0;
      break;
    case 3:  // ICW4
      c.autoEoi = v & 0x02;
      c.icwStep = 0;
      break;
    default: c.imr = v; break;  // OCW1
  }
}
}  // namespace

uint8_t PicPair::read(unsigned chip, unsigned port) {
  std::unique_lock l(mu_);
  Chip& c = *chip_[chip & 1];
  if (port & 1) return c.imr;
  if (!c.poll) return c.readIsr ? c.isr : c.irr;
  // Poll: the highest request, acknowledged, as 0x80 | line; else 0.
  c.poll = false;
  int line = requestLocked(c);
  if (line < 0) return 0;
  ackChip(c, unsigned(line));
  changed(l);
  return uint8_t(0x80 | line);
}

void PicPair::write(unsigned chip, unsigned port, uint8_t v) {
  std::unique_lock l(mu_);
  Chip& c = *chip_[chip & 1];
  if (port & 1)
    data(c, v);
  else if (v & 0x10)
    initCommand(c, v);
  else if (v & 0x08)
    command(c, v);
  else
    eoi(c, v);
  changed(l);
}

}  // namespace vmx
