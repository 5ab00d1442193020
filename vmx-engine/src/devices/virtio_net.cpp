// virtio network device (virtio 1.0, 5.1): transmit chains to slirp,
// slirp's frames into receive chains, both on this device's thread.
#include "vmx-engine/virtio_net.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm-engine/guest_memory.h"
#include "vmx-engine/slirp_backend.h"

namespace vmx {
namespace {
constexpr unsigned kRx = 0, kTx = 1;

// The chain's device-readable bytes, at most `limit` + 1 of them (so a
// caller sees that there were more). Buffers were checked against RAM
// when popped, and RAM never shrinks.
std::vector<uint8_t> readable(const VirtqChain& c, vmm::GuestMemory& mem, size_t limit) {
  std::vector<uint8_t> out;
  for (const VirtqBuffer& b : c.buffers) {
    if (b.deviceWrites || out.size() > limit) continue;
    size_t n = std::min<size_t>(b.len, limit + 1 - out.size());
    const uint8_t* p = mem.hostPtr(b.gpa, n);
    if (!p) continue;
    out.insert(out.end(), p, p + n);  // SAFETY: hostPtr checked gpa..+n
  }
  return out;
}

// The guest-physical address of bytes [skip, skip+len) of the chain's
// readable (writes false) or writable buffers when one buffer holds them
// all, else 0.
uint64_t contiguousGpa(const VirtqChain& c, bool writes, uint64_t skip, uint64_t len) {
  for (const VirtqBuffer& b : c.buffers) {
    if (b.deviceWrites != writes) continue;
    if (skip < b.len) return b.len - skip >= len ? b.gpa + skip : 0;
    skip -= b.len;
  }
  return 0;
}

uint64_t writableBytes(const VirtqChain& c) {
  uint64_t n = 0;
  for (const VirtqBuffer& b : c.buffers)
    if (b.deviceWrites) n += b.len;
  return n;
}

// Copies `len` bytes into the chain's writable buffers, in order.
void copyIn(const VirtqChain& c, vmm::GuestMemory& mem, const uint8_t* src, size_t len) {
  for (const VirtqBuffer& b : c.buffers) {
    if (!b.deviceWrites || len == 0) continue;
    size_t n = std::min<size_t>(b.len, len);
    if (uint8_t* p = mem.hostPtr(b.gpa, n)) memcpy(p, src, n);  // SAFETY: checked
    src += n;
    len -= n;
  }
}
}  // namespace

VirtioNet::VirtioNet(unsigned adapter, Mac mac) : adapter_(adapter), mac_(mac) {
  wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd_ < 0) {
    error_ = std::string("eventfd: ") + strerror(errno);
    return;
  }
  slirp_ = std::make_unique<SlirpBackend>(
      [this](const uint8_t* f, size_t n) { fromHost(f, n); });
  if (!slirp_->valid()) {
    error_ = "libslirp could not set up the network 10.0.2.0/24";
    return;
  }
  thread_ = std::thread([this] { threadMain(); });
}

VirtioNet::~VirtioNet() {
  if (thread_.joinable()) {
    quit_ = true;
    wake();
    thread_.join();
  }
  slirp_.reset();
  if (wakeFd_ >= 0) close(wakeFd_);
}

void VirtioNet::setHooks(NetHooks* hooks) {
  std::lock_guard l(hookMu_);  // waits for a running hook to return
  hooks_ = hooks;
}

void VirtioNet::setSinkForTest(Sink sink) {
  std::lock_guard l(pendingMu_);
  sink_ = std::move(sink);
}

void VirtioNet::inject(const uint8_t* frame, size_t len) {
  {
    std::lock_guard l(pendingMu_);
    if (pending_.size() >= kMaxPending) return void(dropped_++);
    pending_.emplace_back(frame, frame + len);
  }
  wake();
}

void VirtioNet::wake() {
  uint64_t one = 1;
  if (write(wakeFd_, &one, sizeof one) < 0) {
    // EAGAIN: the counter is already non-zero, so the thread will wake.
  }
}

void VirtioNet::notify(unsigned) { wake(); }

// A frame being copied right now belongs to a chain from before the
// reset, which the transport will not return.
void VirtioNet::reset() {
  std::lock_guard l(pendingMu_);
  pending_.clear();
}

void VirtioNet::threadMain() {
  std::vector<pollfd> fds;
  while (!quit_) {
    fds.assign(1, {wakeFd_, POLLIN, 0});
    int timeout = -1;
    slirp_->fill(fds, timeout);
    int n = poll(fds.data(), fds.size(), timeout);
    if (fds[0].revents & POLLIN) {
      uint64_t v;
      if (read(wakeFd_, &v, sizeof v) < 0) {
        // Another wake-up raced us: nothing to do.
      }
    }
    serveTransmit();
    deliverPending();
    slirp_->dispatch(fds, 1, n < 0 && errno != EINTR);
  }
}

void VirtioNet::serveTransmit() {
  if (!queues_) return;
  vmm::GuestMemory& mem = queues_->memory();
  VirtqChain chain;
  while (queues_->pop(kTx, chain)) {
    std::vector<uint8_t> bytes = readable(chain, mem, kHeaderBytes + kMaxFrame);
    if (bytes.size() > kHeaderBytes && bytes.size() <= kHeaderBytes + kMaxFrame) {
      size_t len = bytes.size() - kHeaderBytes;
      fire(true, {adapter_, len, contiguousGpa(chain, false, kHeaderBytes, len)});
      sent_++;
      Sink sink;
      {
        std::lock_guard l(pendingMu_);
        sink = sink_;
      }
      if (sink) sink(bytes.data() + kHeaderBytes, len);
      else slirp_->input(bytes.data() + kHeaderBytes, len);
    } else {
      dropped_++;
    }
    queues_->complete(kTx, chain, 0);
  }
}

// Called by slirp on this thread.
void VirtioNet::fromHost(const uint8_t* frame, size_t len) {
  {
    std::lock_guard l(pendingMu_);
    if (pending_.size() >= kMaxPending || len == 0 || len > kMaxFrame) return void(dropped_++);
    pending_.emplace_back(frame, frame + len);
  }
  deliverPending();
}

void VirtioNet::deliverPending() {
  for (;;) {
    std::vector<uint8_t> frame;
    {
      std::lock_guard l(pendingMu_);
      if (pending_.empty()) return;
      frame = std::move(pending_.front());
      pending_.pop_front();
    }
    if (!deliverOne(frame)) {
      std::lock_guard l(pendingMu_);
      pending_.push_front(std::move(frame));  // no receive chain yet
      return;
    }
  }
}

// False when the driver has no receive chain available.
bool VirtioNet::deliverOne(const std::vector<uint8_t>& frame) {
  VirtqChain chain;
  if (!queues_ || !queues_->pop(kRx, chain)) return false;
  if (writableBytes(chain) < kHeaderBytes + frame.size()) {
    dropped_++;
    queues_->complete(kRx, chain, 0);
    return true;
  }
  vmm::GuestMemory& mem = queues_->memory();
  std::vector<uint8_t> out(kHeaderBytes + frame.size(), 0);
  std::copy(frame.begin(), frame.end(), out.begin() + kHeaderBytes);
  copyIn(chain, mem, out.data(), out.size());
  fire(false, {adapter_, frame.size(), contiguousGpa(chain, true, kHeaderBytes, frame.size())});
  received_++;
  queues_->complete(kRx, chain, uint32_t(out.size()));
  return true;
}

void VirtioNet::fire(bool send, const NetPacketEvent& ev) {
  std::lock_guard h(hookMu_);
  if (!hooks_) return;
  if (send) hooks_->onSend(ev);
  else hooks_->onReceive(ev);
}

}  // namespace vmx
