// MC146818 real-time clock and CMOS RAM, ports 0x70 (index) and 0x71
// (data) (MC146818 datasheet: registers 0-9 time, A-D control/status).
#include <cstring>
#include <ctime>

#include "vmx-engine/devices.h"
#include "vmx-engine/pc_devices.h"

namespace vmx {
namespace {
enum : uint8_t { kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d };
constexpr uint8_t kBinary = 0x04, k24Hour = 0x02;
uint8_t bcd(unsigned v) { return uint8_t((v / 10) << 4 | (v % 10)); }
}  // namespace

CmosRtc::CmosRtc() {
  ram_[kRegA] = 0x26;     // 32.768 kHz base, 1024 Hz rate, no update
  ram_[kRegB] = k24Hour;  // BCD, 24 hours, no interrupts
  ram_[kRegD] = 0x80;     // valid RAM and time (battery good)
}

uint8_t CmosRtc::timeRegister(unsigned index) const {
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  unsigned v;
  bool pm = false;
  switch (index) {
    case 0: v = unsigned(tm.tm_sec); break;
    case 2: v = unsigned(tm.tm_min); break;
    case 4:
      v = unsigned(tm.tm_hour);
      if (!(ram_[kRegB] & k24Hour)) {
        pm = v >= 12;
        v = v % 12 ? v % 12 : 12;
      }
      break;
    case 6: v = unsigned(tm.tm_wday) + 1; break;
    case 7: v = unsigned(tm.tm_mday); break;
    case 8: v = unsigned(tm.tm_mon) + 1; break;
    case 9: v = unsigned(tm.tm_year) % 100; break;
    default: return 0;  // 1, 3, 5: alarms (unused)
  }
  uint8_t r = (ram_[kRegB] & kBinary) ? uint8_t(v) : bcd(v);
  return uint8_t(r | (pm ? 0x80 : 0));
}

uint8_t CmosRtc::read(uint16_t offset) {
  std::lock_guard l(mu_);
  if (offset == 0) return 0xff;  // the index register is write-only
  unsigned i = index_ & 0x7f;
  if (i <= 9) return timeRegister(i);
  uint8_t v = ram_[i];
  if (i == kRegC) ram_[kRegC] = 0;  // reading C acknowledges its flags
  return v;
}

void CmosRtc::write(uint16_t offset, uint8_t v) {
  std::lock_guard l(mu_);
  if (offset == 0) {
    index_ = v;  // bit 7 masks NMIs: there are none to mask
    return;
  }
  unsigned i = index_ & 0x7f;
  if (i <= 9 || i == kRegC || i == kRegD) return;  // time, status: read-only
  if (i == kRegA) v &= 0x7f;  // UIP is read-only
  ram_[i] = v;
}

void CmosRtc::in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) {
  memset(data, 0, size);
  data[0] = read(offset);
}

void CmosRtc::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                  unsigned) {
  write(offset, data[0]);
}

}  // namespace vmx
