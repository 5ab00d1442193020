// COM1 as a 16550A UART, ports 0x3f8-0x3ff, IRQ 4 (COM2: 0x2f8, IRQ 3) (16550 datasheet:
// register map, IIR priorities, loopback). Offsets: 0 RBR/THR (DLL with
// DLAB), 1 IER (DLM with DLAB), 2 IIR/FCR, 3 LCR, 4 MCR, 5 LSR, 6 MSR,
// 7 SCR.
#include <cstring>

#include "vmm-engine/vcpu.h"
#include "vmx-engine/devices.h"
#include "vmx-engine/pc_devices.h"

namespace vmx {
namespace {
enum : uint16_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5,
                  kMsr = 6, kScr = 7 };
constexpr uint8_t kDlab = 0x80;
constexpr uint8_t kIerRx = 1, kIerThre = 2, kIerModem = 8;
constexpr uint8_t kMcrDtr = 1, kMcrRts = 2, kMcrOut1 = 4, kMcrOut2 = 8,
                  kMcrLoop = 0x10;
constexpr uint8_t kLsrDr = 0x01, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirRx = 0x04,
                  kIirModem = 0x00, kIirFifo = 0xc0;
}  // namespace

Uart16550::Uart16550(SerialPort* sink, IrqLine irq, unsigned irqLine)
    : sink_(sink), irq_(std::move(irq)), irqLine_(irqLine) {
  msrLast_ = msrStatusLocked();
}

// MSR's status bits: in loopback they mirror MCR (CTS=RTS, DSR=DTR,
// RI=OUT1, DCD=OUT2); otherwise a connected line (CTS, DSR, DCD).
uint8_t Uart16550::msrStatusLocked() const {
  if (!(mcr_ & kMcrLoop)) return 0xb0;
  return uint8_t((mcr_ & kMcrRts ? 0x10 : 0) | (mcr_ & kMcrDtr ? 0x20 : 0) |
                 (mcr_ & kMcrOut1 ? 0x40 : 0) | (mcr_ & kMcrOut2 ? 0x80 : 0));
}

// The highest-priority pending interrupt: received data, THR empty,
// modem status (no line-status errors ever happen here).
uint8_t Uart16550::iirLocked() {
  uint8_t fifo = fifo_ ? kIirFifo : 0;
  if ((ier_ & kIerRx) && dataReady_) return fifo | kIirRx;
  if ((ier_ & kIerThre) && thre_) return fifo | kIirThre;
  if ((ier_ & kIerModem) && msrDelta_) return fifo | kIirModem;
  return fifo | kIirNone;
}

void Uart16550::updateIrq(std::unique_lock<std::mutex>& l) {
  bool level = !(mcr_ & kMcrLoop) && (mcr_ & kMcrOut2) &&
               !(iirLocked() & kIirNone);
  if (level == irqLevel_) return;
  irqLevel_ = level;
  l.unlock();
  if (irq_) irq_(irqLine_, level);
}

uint8_t Uart16550::read(uint16_t offset) {
  std::unique_lock l(mu_);
  uint8_t v = 0;
  switch (offset) {
    case kData:
      if (lcr_ & kDlab) return dll_;
      v = rbr_;
      dataReady_ = false;
      break;
    case kIer: return (lcr_ & kDlab) ? dlm_ : ier_;
    case kIir:
      v = iirLocked();
      if ((v & 0x0f) == kIirThre) thre_ = false;  // reading IIR clears it
      break;
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return uint8_t(kLsrThre | kLsrTemt | (dataReady_ ? kLsrDr : 0));
    case kMsr: {
      uint8_t status = msrStatusLocked();
      uint8_t changed = status ^ msrLast_;
      msrDelta_ |= uint8_t((changed & 0xb0) >> 4) |
                   ((msrLast_ & 0x40) && !(status & 0x40) ? 0x04 : 0);
      v = uint8_t(status | msrDelta_);
      msrLast_ = status;
      msrDelta_ = 0;  // reading MSR clears the deltas
      break;
    }
    case kScr: return scr_;
    default: return 0xff;
  }
  updateIrq(l);
  return v;
}

void Uart16550::write(uint16_t offset, uint8_t v, std::string* sent) {
  std::unique_lock l(mu_);
  switch (offset) {
    case kData:
      if (lcr_ & kDlab) {
        dll_ = v;
        return;
      }
      if (mcr_ & kMcrLoop) {  // loopback: the byte comes back in RBR
        rbr_ = v;
        dataReady_ = true;
      } else if (sent) {
        sent->push_back(char(v));
      }
      thre_ = true;  // sent at once: THR is empty again
      break;
    case kIer:
      if (lcr_ & kDlab) {
        dlm_ = v;
        return;
      }
      // Enabling the THR-empty interrupt while THR is empty raises it.
      if ((v & kIerThre) && !(ier_ & kIerThre)) thre_ = true;
      ier_ = v & 0x0f;
      break;
    case kIir: fifo_ = v & 1; break;  // FCR; the FIFOs are always empty
    case kLcr: lcr_ = v; return;
    case kMcr: {
      uint8_t before = msrStatusLocked();
      mcr_ = v & 0x1f;
      uint8_t after = msrStatusLocked();
      if (before != after) {
        uint8_t changed = before ^ after;
        msrDelta_ |= uint8_t((changed & 0xb0) >> 4) |
                     ((before & 0x40) && !(after & 0x40) ? 0x04 : 0);
        msrLast_ = after;
      }
      break;
    }
    case kScr: scr_ = v; return;
    default: return;  // LSR and MSR are read-only
  }
  updateIrq(l);
}

void Uart16550::in(vmm::Vcpu&, uint16_t offset, uint8_t* data,
                   unsigned size) {
  memset(data, 0, size);
  data[0] = read(offset);
}

void Uart16550::out(vmm::Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                    unsigned) {
  std::string sent;
  write(offset, data[0], &sent);
  if (!sent.empty() && sink_)
    sink_->out(vcpu, 0, reinterpret_cast<const uint8_t*>(sent.data()), 1);
}

}  // namespace vmx
