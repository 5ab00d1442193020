// One virtqueue in the legacy layout (virtio 0.9.5; virtio 1.0, 4.1.5
// "Legacy Interfaces"): from the page frame number the driver writes, the
// descriptor table (16 bytes per entry), then the available ring, then,
// at the next 4 KiB boundary, the used ring. The device side only: take
// the chains the driver made available, give them back as used.
//
// The guest owns the rings and may change them at any moment, so every
// value is read once and checked: ring indices against the queue size,
// the available index against the number of chains it could hold, each
// descriptor against RAM, a chain's length against the queue size (which
// is what catches a loop), and indirect descriptors (never offered) are
// refused. A check that fails breaks the queue: it gives out nothing more
// until the driver resets the device, and error() says why. The used
// index is the device's own count, never read back from the guest.
//
// Threads: not synchronised; the transport (virtio_pci.h) locks around it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmm {
class GuestMemory;
}

namespace vmx {

struct VirtqBuffer {
  uint64_t gpa;
  uint32_t len;
  bool deviceWrites;  // VIRTQ_DESC_F_WRITE: the device fills it
};

struct VirtqChain {
  uint16_t head = 0;
  uint32_t epoch = 0;  // the transport's, to drop chains from before a reset
  // In chain order: all the buffers the device reads, then all those it
  // writes (a chain with a read buffer after a written one is refused).
  std::vector<VirtqBuffer> buffers;
};

class VirtQueue {
 public:
  static constexpr uint32_t kAlign = 4096;  // legacy ring alignment
  // `size`: the queue size the device announces, a power of two, 1-32768.
  VirtQueue(vmm::GuestMemory& memory, uint16_t size);
  uint16_t size() const { return size_; }
  // The driver's queue address (page frame number); 0 disables the queue.
  // False (and the queue disabled) when the rings do not fit in RAM.
  bool setPfn(uint32_t pfn);
  uint32_t pfn() const { return pfn_; }
  bool ready() const { return pfn_ != 0 && !broken_; }
  bool broken() const { return broken_; }
  const std::string& error() const { return error_; }
  // Back to the state after reset: disabled, indices 0, not broken.
  void reset();

  enum class Pop { kEmpty, kChain, kBroken };
  // The next available chain into `chain`.
  Pop pop(VirtqChain& chain);
  // Returns chain `head` to the driver, `written` bytes filled in.
  bool pushUsed(uint16_t head, uint32_t written);
  // VRING_AVAIL_F_NO_INTERRUPT: the driver asks not to be interrupted
  // (a hint; interrupting anyway is allowed).
  bool interruptSuppressed() const;

 private:
  bool fail(std::string why);
  Pop breakQueue(std::string why);
  Pop readChain(uint16_t head, VirtqChain& chain);
  uint64_t descAddr() const { return uint64_t(pfn_) * kAlign; }
  uint64_t availAddr() const { return descAddr() + 16ull * size_; }
  uint64_t usedAddr() const;
  vmm::GuestMemory& mem_;
  uint16_t size_;
  uint32_t pfn_ = 0;
  uint16_t nextAvail_ = 0, nextUsed_ = 0;
  bool broken_ = false;
  std::string error_;
};

}  // namespace vmx
