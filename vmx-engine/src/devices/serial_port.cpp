// COM1, I/O ports 0x3f8-0x3ff (16550 UART subset): THR at 0x3f8 (offset
// 0), LSR at 0x3fd (offset 5). See docs/platform.md.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "vmm-engine/vcpu.h"
#include "vmx-engine/devices.h"
#include "vmx-client/private_file.h"

namespace vmx {
namespace {
constexpr uint16_t kThr = 0, kLsr = 5;
constexpr uint8_t kLsrTransmitterEmpty = 0x60;  // THRE | TEMT
constexpr size_t kMaxLine = 4096;  // a guest that never sends '\n'
}  // namespace

SerialPort::SerialPort(const std::string& logPath) {
  std::string error;
  fd_ = openPrivateFile(logPath, O_WRONLY | O_APPEND, FileSharing{}, error).release();
  if (fd_ < 0) error_ = error;
}

SerialPort::~SerialPort() {
  std::lock_guard l(mu_);
  for (std::string& line : lines_) writeLocked(line);
  if (fd_ >= 0) close(fd_);
}

void SerialPort::writeLocked(std::string& line) {
  size_t off = 0;
  while (fd_ >= 0 && off < line.size()) {
    ssize_t n = write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full disk must not stop the guest
    off += size_t(n);
  }
  line.clear();
}

void SerialPort::in(vmm::Vcpu&, uint16_t offset, uint8_t* data,
                    unsigned size) {
  memset(data, 0, size);
  if (offset == kLsr) data[0] = kLsrTransmitterEmpty;
}

void SerialPort::out(vmm::Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                     unsigned) {
  if (offset != kThr) return;  // divisor, IER, LCR, ...: ignored
  bytes_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard l(mu_);
  if (lines_.size() <= vcpu.index()) lines_.resize(vcpu.index() + 1);
  std::string& line = lines_[vcpu.index()];
  line.push_back(char(data[0]));
  if (data[0] == '\n' || line.size() >= kMaxLine) writeLocked(line);
}

}  // namespace vmx
