// DMA block device, I/O ports 0x510-0x52f (docs/platform.md):
//   0x510 LBA low, 0x514 LBA high, 0x518 count, 0x51c buffer GPA,
//   0x520 command, 0x521 completion vector, 0x524 status,
//   0x528/0x52c capacity low/high.
// Registers are written on vCPU threads; the transfer runs on this
// device's own thread (the VMX domain), which also calls the disk hooks.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"

namespace vmx {
namespace {
enum : uint16_t {
  kLbaLo = 0x00, kLbaHi = 0x04, kCount = 0x08, kBuffer = 0x0c,
  kCommand = 0x10, kVector = 0x11, kStatus = 0x14, kCapLo = 0x18,
  kCapHi = 0x1c
};
enum : uint8_t { kCmdRead = 1, kCmdWrite = 2 };
}  // namespace

DiskDevice::DiskDevice(vmm::Vm& vm, const std::string& path,
                       uint64_t sectors)
    : vm_(vm), sectors_(sectors) {
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);  // guest data
  struct stat st;
  if (fd_ < 0 || fstat(fd_, &st) < 0 ||
      (uint64_t(st.st_size) < sectors * kSectorBytes &&
       ftruncate(fd_, off_t(sectors * kSectorBytes)) < 0)) {
    error_ = path + ": " + strerror(errno);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return;
  }
  thread_ = std::thread([this] { threadMain(); });
}

DiskDevice::~DiskDevice() {
  if (thread_.joinable()) {
    {
      std::lock_guard l(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  if (fd_ >= 0) close(fd_);
}

void DiskDevice::setHooks(DiskHooks* hooks) {
  std::lock_guard l(hookMu_);  // waits for a running hook to return
  hooks_ = hooks;
}

void DiskDevice::in(vmm::Vcpu&, uint16_t offset, uint8_t* data,
                    unsigned size) {
  uint32_t v = 0;
  switch (offset) {
    case kStatus: {
      v = status_.load();
      // Reading a final status hands the device back to the guest.
      if (v == kDone || v == kError) status_.compare_exchange_strong(v, kIdle);
      break;
    }
    case kCapLo: v = uint32_t(sectors_); break;
    case kCapHi: v = uint32_t(sectors_ >> 32); break;
    default: {
      std::lock_guard l(mu_);
      v = offset == kLbaLo   ? uint32_t(lba_)
          : offset == kLbaHi ? uint32_t(lba_ >> 32)
          : offset == kCount ? count_
          : offset == kBuffer ? buffer_
          : offset == kVector ? vector_
                              : 0;
    }
  }
  ioStore(data, size, v);
}

void DiskDevice::out(vmm::Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                     unsigned size) {
  uint32_t v = ioValue(data, size);
  if (offset == kCommand) return command(vcpu, uint8_t(v));
  std::lock_guard l(mu_);
  switch (offset) {
    case kLbaLo: lba_ = (lba_ & ~0xffffffffull) | v; break;
    case kLbaHi: lba_ = (lba_ & 0xffffffffull) | (uint64_t(v) << 32); break;
    case kCount: count_ = v; break;
    case kBuffer: buffer_ = v; break;
    case kVector: vector_ = (v >= 32 && v <= 255) ? uint8_t(v) : 0; break;
    default: break;  // status and capacity are read-only
  }
}

bool DiskDevice::acceptable(uint8_t cmd, uint64_t& bytes) const {
  if (cmd != kCmdRead && cmd != kCmdWrite) return false;
  if (count_ < 1 || count_ > kMaxSectors) return false;
  if (lba_ > sectors_ || count_ > sectors_ - lba_) return false;
  bytes = uint64_t(count_) * kSectorBytes;
  return vm_.memory().contains(buffer_, bytes);
}

void DiskDevice::command(vmm::Vcpu& vcpu, uint8_t cmd) {
  std::unique_lock l(mu_);
  // An unread final status (2 or 3) is simply replaced.
  if (status_.exchange(kBusy) == kBusy) {
    failRunning_ = true;  // the running request will end with status 3
    return;
  }
  uint64_t bytes;
  if (!acceptable(cmd, bytes)) {
    status_ = kError;
    uint8_t v = vector_;
    l.unlock();
    if (v) vcpu.raiseInterrupt(v);
    return;
  }
  Request r{{kAdapterType, 0, 0, cmd == kCmdRead ? 1u : 0u, nextId_++, lba_,
             count_, 1},
            buffer_, vcpu.index(), vector_};
  queue_.push_back(r);
  cv_.notify_all();
}

bool DiskDevice::transfer(const Request& r) {
  uint64_t bytes = r.ev.numSectors * kSectorBytes;
  // Checked at command time; RAM never shrinks, so this cannot fail, but a
  // null pointer here would be a monitor bug we refuse to turn into a
  // crash.
  uint8_t* buf = vm_.memory().hostPtr(r.bufferGpa, bytes);
  if (!buf) return false;
  off_t pos = off_t(r.ev.startSector * kSectorBytes);
  uint64_t done = 0;
  while (done < bytes) {
    // SAFETY: [buf, buf+bytes) is inside guest RAM (hostPtr checked it).
    ssize_t n = r.ev.isRead ? pread(fd_, buf + done, bytes - done, pos + done)
                            : pwrite(fd_, buf + done, bytes - done, pos + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += uint64_t(n);
  }
  return true;
}

void DiskDevice::finish(const Request& r, bool ok) {
  {
    std::lock_guard h(hookMu_);
    if (hooks_) hooks_->onIoFinish(r.ev);
  }
  done_.fetch_add(1);
  bool failed = failRunning_.exchange(false) || !ok;
  status_.store(failed ? kError : kDone);  // before the interrupt
  if (r.vector) vm_.vcpu(r.vcpu).raiseInterrupt(r.vector);
}

void DiskDevice::threadMain() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return quit_ || !queue_.empty(); });
    if (quit_) return;
    Request r = queue_.front();
    queue_.pop_front();
    l.unlock();
    {
      std::lock_guard h(hookMu_);
      if (hooks_) hooks_->onIoStart(r.ev);
    }
    finish(r, transfer(r));
    l.lock();
  }
}

}  // namespace vmx
