// Legacy split virtqueue (virtio 1.0, 2.4 and 4.1.5): descriptors
// {u64 addr, u32 len, u16 flags, u16 next}; avail {u16 flags, u16 idx,
// u16 ring[size], u16 used_event}; used {u16 flags, u16 idx,
// {u32 id, u32 len} ring[size], u16 avail_event}.
#include "vmx-engine/virtqueue.h"

#include <atomic>
#include <cstring>

#include "vmm-engine/guest_memory.h"

namespace vmx {
namespace {
enum : uint16_t { kNext = 1, kWrite = 2, kIndirect = 4 };
enum : uint16_t { kNoInterrupt = 1 };

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
static_assert(sizeof(Desc) == 16);
}  // namespace

VirtQueue::VirtQueue(vmm::GuestMemory& memory, uint16_t size)
    : mem_(memory), size_(size) {}

uint64_t VirtQueue::usedAddr() const {
  uint64_t availEnd = availAddr() + 6 + 2ull * size_;
  return (availEnd + kAlign - 1) & ~uint64_t(kAlign - 1);
}

bool VirtQueue::setPfn(uint32_t pfn) {
  reset();
  if (pfn == 0) return true;
  pfn_ = pfn;
  if (!mem_.contains(usedAddr(), 6 + 8ull * size_)) {
    pfn_ = 0;
    error_ = "queue address " + std::to_string(uint64_t(pfn) * kAlign) +
             " puts its rings outside RAM";
    return false;
  }
  return true;
}

void VirtQueue::reset() {
  pfn_ = 0;
  nextAvail_ = nextUsed_ = 0;
  broken_ = false;
  error_.clear();
}

bool VirtQueue::fail(std::string why) {
  broken_ = true;
  error_ = std::move(why);
  return false;
}

VirtQueue::Pop VirtQueue::breakQueue(std::string why) {
  fail(std::move(why));
  return Pop::kBroken;
}

bool VirtQueue::interruptSuppressed() const {
  uint16_t flags = 0;
  return ready() && mem_.read(availAddr(), &flags, 2) && (flags & kNoInterrupt);
}

VirtQueue::Pop VirtQueue::pop(VirtqChain& chain) {
  if (!ready()) return broken_ ? Pop::kBroken : Pop::kEmpty;
  uint16_t availIdx;
  if (!mem_.read(availAddr() + 2, &availIdx, 2)) return breakQueue("ring outside RAM");
  uint16_t pending = uint16_t(availIdx - nextAvail_);
  if (pending == 0) return Pop::kEmpty;
  if (pending > size_)
    return breakQueue("available index " + std::to_string(availIdx) + " is " +
                      std::to_string(pending) + " chains ahead of a " +
                      std::to_string(size_) + "-entry queue");
  // The ring entries were written before the index: read them after it.
  std::atomic_thread_fence(std::memory_order_acquire);
  uint16_t head;
  if (!mem_.read(availAddr() + 4 + 2ull * (nextAvail_ % size_), &head, 2))
    return breakQueue("ring outside RAM");
  Pop r = readChain(head, chain);
  if (r == Pop::kChain) ++nextAvail_;
  return r;
}

VirtQueue::Pop VirtQueue::readChain(uint16_t head, VirtqChain& chain) {
  chain.head = head;
  chain.buffers.clear();
  uint16_t index = head;
  for (unsigned n = 0;; ++n) {
    if (index >= size_)
      return breakQueue("descriptor index " + std::to_string(index) + " beyond the queue size");
    if (n >= size_) return breakQueue("descriptor chain longer than the queue (a loop)");
    Desc d;
    if (!mem_.read(descAddr() + 16ull * index, &d, sizeof d))
      return breakQueue("descriptor table outside RAM");
    if (d.flags & kIndirect) return breakQueue("indirect descriptor (not offered)");
    if (!mem_.contains(d.addr, d.len))
      return breakQueue("descriptor " + std::to_string(index) + " points outside RAM");
    bool writes = d.flags & kWrite;
    if (!writes && !chain.buffers.empty() && chain.buffers.back().deviceWrites)
      return breakQueue("a device-readable descriptor after a device-writable one");
    chain.buffers.push_back({d.addr, d.len, writes});
    if (!(d.flags & kNext)) return Pop::kChain;
    index = d.next;
  }
}

bool VirtQueue::pushUsed(uint16_t head, uint32_t written) {
  if (!ready()) return false;
  uint32_t elem[2] = {head, written};
  uint64_t base = usedAddr();
  if (!mem_.write(base + 4 + 8ull * (nextUsed_ % size_), elem, sizeof elem))
    return fail("used ring outside RAM");
  // The driver reads the entry once it sees the index: publish it after.
  std::atomic_thread_fence(std::memory_order_release);
  ++nextUsed_;
  return mem_.write(base + 2, &nextUsed_, 2) || fail("used ring outside RAM");
}

}  // namespace vmx
