#include "vmm-engine/guest_memory.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>

namespace vmm {

GuestMemory::GuestMemory(uint64_t bytes) {
  // MAP_NORESERVE: RAM the guest never touches costs nothing; anonymous
  // pages start zeroed, so the loader only has to copy file bytes.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    error_ = std::string("cannot map guest RAM: ") + strerror(errno);
    return;
  }
  base_ = static_cast<uint8_t*>(p);
  size_ = bytes;
}

GuestMemory::~GuestMemory() {
  if (base_) munmap(base_, size_);
}

bool GuestMemory::read(uint64_t gpa, void* out, size_t len) const {
  const uint8_t* p = hostPtr(gpa, len);
  if (!p) return false;
  // SAFETY: [gpa, gpa+len) was checked to lie inside the mapping.
  memcpy(out, p, len);
  return true;
}

bool GuestMemory::write(uint64_t gpa, const void* in, size_t len) {
  uint8_t* p = hostPtr(gpa, len);
  if (!p) return false;
  // SAFETY: as in read().
  memcpy(p, in, len);
  return true;
}

}  // namespace vmm
