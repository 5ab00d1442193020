// COM1, I/O ports 0x3f8-0x3ff (16550 UART subset): THR at 0x3f8 (offset
// 0), LSR at 0x3fd (offset 5). See docs/platform.md.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "vmx-engine/devices.h"

namespace vmx {
namespace {
constexpr uint16_t kThr = 0, kLsr = 5;
constexpr uint8_t kLsrTransmitterEmpty = 0x60;  // THRE | TEMT
constexpr size_t kMaxLine = 4096;  // a guest that never sends '\n'
}  // namespace

SerialPort::SerialPort(const std::string& logPath) {
  fd_ = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
             0644);
  if (fd_ < 0) error_ = logPath + ": " + strerror(errno);
}

SerialPort::~SerialPort() {
  std::lock_guard l(mu_);
  flushLocked();
  if (fd_ >= 0) close(fd_);
}

void SerialPort::flushLocked() {
  size_t off = 0;
  while (fd_ >= 0 && off < line_.size()) {
    ssize_t n = write(fd_, line_.data() + off, line_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full disk must not stop the guest
    off += size_t(n);
  }
  line_.clear();
}

void SerialPort::in(vmm::Vcpu&, uint16_t offset, uint8_t* data,
                    unsigned size) {
  memset(data, 0, size);
  if (offset == kLsr) data[0] = kLsrTransmitterEmpty;
}

void SerialPort::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                     unsigned) {
  if (offset != kThr) return;  // divisor, IER, LCR, ...: ignored
  std::lock_guard l(mu_);
  appendLocked(char(data[0]));
}

void SerialPort::outRep(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                        unsigned size, uint32_t count) {
  if (offset != kThr) return;
  std::lock_guard l(mu_);
  for (uint32_t i = 0; i < count; ++i) appendLocked(char(data[i * size]));
}

void SerialPort::appendLocked(char c) {
  bytes_.fetch_add(1, std::memory_order_relaxed);
  line_.push_back(c);
  if (c == '\n' || line_.size() >= kMaxLine) flushLocked();
}

}  // namespace vmx
