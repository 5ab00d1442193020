// The PC devices a stock Linux guest needs (docs/platform.md, "Linux
// guests"), enabled only for a `.vmx` with guest.kernel, each a
// vmm::IoDevice, one per file in src/devices/:
//
//   0x20-0x21, 0xa0-0xa1  PicPair   two cascaded 8259A PICs, the vCPU's
//                                   interrupt source (vmm::InterruptSource)
//   0x40-0x43, 0x61       Pit       8254 timer: channel 0 on IRQ 0,
//                                   channel 2 with its gate and OUT on 0x61
//   0x3f8-0x3ff           Uart16550 COM1, a 16550A on IRQ 4
//   0x2f8-0x2ff           Uart16550 COM2, a 16550A on IRQ 3 (only with
//                                   serial1.fileName: its output goes to
//                                   that file)
//   0x70-0x71             CmosRtc   MC146818 RTC and CMOS RAM (host time)
//
// The monitor delivers every interrupt itself (KVM_INTERRUPT): the PIC
// holds the requests, the vCPU acknowledges it when the guest can take an
// interrupt, and so Guest_IRQ sees every vector.
//
// Threads: register accesses come on the vCPU thread; the PIT raises
// IRQ 0 from its own thread. Every value the guest writes is hostile input:
// each register is a byte or word, and no write makes a device allocate or
// spin (the PIT's periodic rate is bounded by kMinPeriodNs).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "vmm-engine/interrupt_source.h"
#include "vmm-engine/io_bus.h"

namespace vmm {
class Vm;
}

namespace vmx {

class SerialPort;

// An interrupt line into the PIC: (line 0-15, level). Edge-triggered: a
// request is latched on the rising edge.
using IrqLine = std::function<void(unsigned line, bool level)>;

// Two 8259A PICs, the slave's output on the master's IR2 (as on a PC).
// Edge-triggered, fully nested mode, with: ICW1-ICW4 (vector base, single
// or cascade, auto EOI), OCW1 (IMR), OCW2 (non-specific, specific and
// rotating EOIs, priority setting), OCW3 (IRR/ISR read, poll, special
// mask). An INTA with no request left gives IR7's vector without setting
// ISR (a spurious interrupt), as the chip does. Level-triggered mode
// (ICW1 LTIM) is accepted and treated as edge-triggered.
class PicPair : public vmm::InterruptSource {
 public:
  static constexpr uint16_t kMasterBase = 0x20, kSlaveBase = 0xa0, kPorts = 2;
  // `onIntr` runs (without the PIC's lock) whenever a change leaves INTR
  // asserted: it wakes the vCPU.
  explicit PicPair(std::function<void()> onIntr);
  ~PicPair() override;

  void setIrq(unsigned line, bool level);  // any thread; lines >= 16 ignored
  bool interruptRequested() override;
  int acknowledge() override;
  // Port access on chip 0 (master) or 1 (slave); `port` 0 or 1 (A0).
  uint8_t read(unsigned chip, unsigned port);
  void write(unsigned chip, unsigned port, uint8_t value);
  // The bus devices of the two chips' port pairs.
  vmm::IoDevice& ports(unsigned chip);

  struct Chip;  // one 8259A's registers (src/devices/pic8259.cpp)

 private:
  class Ports;
  void changed(std::unique_lock<std::mutex>& l);
  int requestLocked(const Chip& c) const;
  void cascadeLocked();
  std::mutex mu_;
  std::unique_ptr<Chip> chip_[2];
  std::unique_ptr<Ports> ports_[2];
  std::function<void()> onIntr_;
};

// The 8254 timer, 1.193182 MHz. Channel 0: modes 0-5 (2 and 3 periodic,
// the others one interrupt per count written), its OUT's rising edge on
// IRQ 0, timed by this device's own thread. Channel 2: counts (gate from
// port 0x61 bit 0), its OUT readable on port 0x61 bit 5. Channel 1 (DRAM
// refresh) counts but drives nothing. Counter latch and read-back
// commands; binary counting (BCD is treated as binary).
class Pit : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x40, kPorts = 4, kPortB = 0x61;
  static constexpr uint64_t kHz = 1193182;
  static constexpr int64_t kMinPeriodNs = 100000;  // 10 kHz at most
  using NowNs = std::function<int64_t()>;  // a monotonic clock
  // `irq0` gets the channel-0 pulses. `now` is for tests (counter reads);
  // interrupts are always timed by the steady clock.
  explicit Pit(IrqLine irq0, NowNs now = {});
  ~Pit() override;
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  uint8_t read(uint16_t offset);
  void write(uint16_t offset, uint8_t value);
  uint8_t readPortB();
  void writePortB(uint8_t value);
  vmm::IoDevice& portB();
  uint64_t irq0Pulses() const;
  // ns per interrupt for a count register value (0 means 65536).
  static int64_t countNs(uint32_t count);

 private:
  struct Channel;
  class PortB;
  int64_t ticksSince(const Channel& c, int64_t now) const;
  uint16_t counterLocked(const Channel& c, int64_t now) const;
  bool outLocked(const Channel& c, int64_t now) const;
  void loadedLocked(unsigned ch, int64_t now);
  void threadMain();
  IrqLine irq0_;
  NowNs now_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Channel> ch_[3];
  std::unique_ptr<PortB> portB_;
  uint8_t portBBits_ = 0;  // bit 0 gate 2, bit 1 speaker data
  bool refresh_ = false;
  // Channel 0's next interrupt (steady clock, ns); 0 none.
  int64_t deadline_ = 0, period_ = 0;
  uint64_t pulses_ = 0;
  bool quit_ = false;
  std::thread thread_;
};

// COM1 (or COM2) as a 16550A: THR/RBR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and
// the divisor latch (DLL/DLM with LCR.DLAB). Transmitting is instant: a
// byte written to THR goes to `sink` (the serial log) and THR is empty
// again, raising the THR-empty interrupt when enabled. Nothing is ever
// received except in loopback mode (MCR bit 4), where THR writes come back
// in RBR and MSR mirrors MCR. The interrupt output (IRQ 4) is gated by
// MCR.OUT2, as on a PC.
class Uart16550 : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x3f8, kPorts = 8;
  static constexpr unsigned kIrq = 4;
  static constexpr uint16_t kCom2Base = 0x2f8;
  static constexpr unsigned kCom2Irq = 3;
  // `sink` may be null (output dropped); it must outlive the UART. `irqLine`
  // is the PIC line it drives: kIrq for COM1, kCom2Irq for COM2.
  Uart16550(SerialPort* sink, IrqLine irq, unsigned irqLine = kIrq);
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  // The registers without a vCPU (tests); a byte sent goes to `sent`.
  uint8_t read(uint16_t offset);
  void write(uint16_t offset, uint8_t value, std::string* sent = nullptr);

 private:
  uint8_t iirLocked();
  uint8_t msrStatusLocked() const;
  void updateIrq(std::unique_lock<std::mutex>& l);
  SerialPort* sink_;
  IrqLine irq_;
  unsigned irqLine_;
  std::mutex mu_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 12, dlm_ = 0;
  bool fifo_ = false, thre_ = false, dataReady_ = false;
  uint8_t rbr_ = 0, msrLast_ = 0, msrDelta_ = 0;
  bool irqLevel_ = false;
};

// The MC146818 RTC at 0x70 (index; bit 7 is the NMI mask) and 0x71
// (data): 128 bytes of CMOS RAM; registers 0-9 read the host's UTC time
// (BCD or binary and 12/24 hour as register B says), register A never
// shows an update in progress, register D says the battery is good.
// Writes to the time registers are ignored (the clock is the host's).
class CmosRtc : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x70, kPorts = 2;
  CmosRtc();
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  uint8_t read(uint16_t offset);
  void write(uint16_t offset, uint8_t value);

 private:
  uint8_t timeRegister(unsigned index) const;
  std::mutex mu_;
  uint8_t index_ = 0;
  uint8_t ram_[128] = {};
};

}  // namespace vmx
