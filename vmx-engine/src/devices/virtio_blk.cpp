// virtio block device (virtio 1.0, 5.2): the request header, data and
// status of each chain, served on this device's thread.
#include "vmx-engine/virtio_blk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm-engine/guest_memory.h"

namespace vmx {
namespace {
enum : uint32_t { kTypeIn = 0, kTypeOut = 1, kTypeGetId = 8 };
enum : uint8_t { kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupp = 2 };
enum : uint32_t { kFeatureSegMax = 1u << 2, kFeatureBlkSize = 1u << 6 };
constexpr uint32_t kHeaderBytes = 16, kIdBytes = 20;
constexpr char kSerial[] = "vprobes-disk0";

uint64_t streamBytes(const VirtqChain& c, bool writes) {
  uint64_t n = 0;
  for (const VirtqBuffer& b : c.buffers)
    if (b.deviceWrites == writes) n += b.len;
  return n;
}

// Host pointers to bytes [skip, skip+len) of the chain's device-readable
// (writes false) or device-writable buffers taken as one stream. The
// buffers were checked against RAM when popped, and RAM never shrinks.
std::vector<iovec> slice(const VirtqChain& c, bool writes, uint64_t skip,
                         uint64_t len, vmm::GuestMemory& mem) {
  std::vector<iovec> out;
  for (const VirtqBuffer& b : c.buffers) {
    if (b.deviceWrites != writes || len == 0) continue;
    if (skip >= b.len) {
      skip -= b.len;
      continue;
    }
    uint64_t n = std::min<uint64_t>(b.len - skip, len);
    if (uint8_t* p = mem.hostPtr(b.gpa + skip, n)) out.push_back({p, size_t(n)});
    len -= n;
    skip = 0;
  }
  return out;
}

void copyOut(const std::vector<iovec>& from, void* to, size_t len) {
  auto* dst = static_cast<uint8_t*>(to);
  for (const iovec& v : from) {
    size_t n = std::min(len, v.iov_len);
    memcpy(dst, v.iov_base, n);  // SAFETY: iov_base..+iov_len is guest RAM
    dst += n;
    len -= n;
  }
}
}  // namespace

struct VirtioBlk::Request {
  uint32_t type = 0;
  uint64_t sector = 0;
  std::vector<iovec> data;
  uint64_t dataBytes = 0;
  uint32_t written = 0;  // bytes the device writes: data in, then status
};

VirtioBlk::VirtioBlk(const std::string& path, uint64_t sectors)
    : sectors_(sectors) {
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

VirtioBlk::~VirtioBlk() {
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

void VirtioBlk::setHooks(DiskHooks* hooks) {
  std::lock_guard l(hookMu_);  // waits for a running hook to return
  hooks_ = hooks;
}

uint32_t VirtioBlk::features() const { return kFeatureSegMax | kFeatureBlkSize; }

// struct virtio_blk_config: u64 capacity, u32 size_max, u32 seg_max,
// geometry {u16 cylinders, u8 heads, u8 sectors}, u32 blk_size.
uint8_t VirtioBlk::configByte(uint32_t offset) {
  auto byteOf = [&](uint64_t v, uint32_t at) { return uint8_t(v >> (8 * (offset - at))); };
  if (offset < 8) return byteOf(sectors_, 0);
  if (offset < 12) return 0;  // size_max: not offered
  if (offset < 16) return byteOf(kSegMax, 12);
  if (offset < 20) return 0;  // geometry: not offered
  return byteOf(kSectorBytes, 20);
}

void VirtioBlk::notify(unsigned) {
  {
    std::lock_guard l(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void VirtioBlk::threadMain() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return quit_ || pending_; });
    if (quit_) return;
    pending_ = false;
    l.unlock();
    VirtqChain chain;
    while (queues_ && queues_->pop(0, chain)) serve(chain);
    l.lock();
  }
}

// One chain: parse, execute, status, return it.
void VirtioBlk::serve(const VirtqChain& chain) {
  vmm::GuestMemory& mem = queues_->memory();
  uint64_t readable = streamBytes(chain, false), writable = streamBytes(chain, true);
  if (readable < kHeaderBytes || writable < 1) return queues_->complete(0, chain, 0);
  uint8_t header[kHeaderBytes];
  copyOut(slice(chain, false, 0, kHeaderBytes, mem), header, kHeaderBytes);
  Request r;
  memcpy(&r.type, header, 4);
  memcpy(&r.sector, header + 8, 8);
  if (r.type == kTypeOut) {
    r.dataBytes = readable - kHeaderBytes;
    r.data = slice(chain, false, kHeaderBytes, r.dataBytes, mem);
  } else {
    r.dataBytes = writable - 1;
    r.data = slice(chain, true, 0, r.dataBytes, mem);
  }
  uint8_t status = execute(r);
  std::vector<iovec> st = slice(chain, true, writable - 1, 1, mem);
  if (!st.empty()) *static_cast<uint8_t*>(st[0].iov_base) = status;
  done_.fetch_add(1);
  queues_->complete(0, chain, r.written + 1);
}

uint8_t VirtioBlk::execute(Request& r) {
  if (r.type == kTypeGetId) {
    char id[kIdBytes] = {};
    memcpy(id, kSerial, sizeof kSerial);
    size_t n = std::min<uint64_t>(kIdBytes, r.dataBytes);
    for (const iovec& v : r.data) {
      size_t k = std::min(n - r.written, v.iov_len);
      memcpy(v.iov_base, id + r.written, k);  // SAFETY: guest RAM (slice)
      r.written += uint32_t(k);
    }
    return kStatusOk;
  }
  if (r.type != kTypeIn && r.type != kTypeOut) return kStatusUnsupp;
  uint64_t count = r.dataBytes / kSectorBytes;
  if (count == 0 || r.dataBytes % kSectorBytes || r.sector > sectors_ ||
      count > sectors_ - r.sector)
    return kStatusIoErr;
  bool read = r.type == kTypeIn;
  DiskIoEvent ev{kVirtioAdapterType, 0, 0, read ? 1u : 0u, nextId_++, r.sector,
                 count, r.data.size()};
  {
    std::lock_guard h(hookMu_);
    if (hooks_) hooks_->onIoStart(ev);
  }
  bool ok = transfer(r);
  {
    std::lock_guard h(hookMu_);
    if (hooks_) hooks_->onIoFinish(ev);
  }
  if (read && ok) r.written = uint32_t(std::min<uint64_t>(r.dataBytes, UINT32_MAX - 1));
  return ok ? kStatusOk : kStatusIoErr;
}

// The whole data of `r` to or from the file, resuming short transfers.
bool VirtioBlk::transfer(const Request& r) {
  std::vector<iovec> iov = r.data;
  size_t first = 0;
  off_t pos = off_t(r.sector * kSectorBytes);
  while (first < iov.size()) {
    int cnt = int(std::min<size_t>(iov.size() - first, IOV_MAX));
    // SAFETY: every iovec lies in guest RAM (slice checked it).
    ssize_t n = r.type == kTypeIn ? preadv(fd_, &iov[first], cnt, pos)
                                  : pwritev(fd_, &iov[first], cnt, pos);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    pos += n;
    for (size_t left = size_t(n); left > 0;) {
      size_t k = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + k;
      iov[first].iov_len -= k;
      left -= k;
      if (iov[first].iov_len == 0) ++first;
    }
    while (first < iov.size() && iov[first].iov_len == 0) ++first;
  }
  return true;
}

}  // namespace vmx
