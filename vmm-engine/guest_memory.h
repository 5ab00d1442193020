// Guest RAM: one anonymous host mapping registered with KVM at
// guest-physical 0. Every access from the monitor is bounds-checked: guest
// physical addresses come from guest registers, page tables and device
// registers, all of which the guest controls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vmm {

class GuestMemory {
 public:
  // Maps `bytes` of zeroed RAM. On failure valid() is false and error()
  // says why.
  explicit GuestMemory(uint64_t bytes);
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  bool valid() const { return base_ != nullptr; }
  const std::string& error() const { return error_; }
  uint64_t size() const { return size_; }

  // True when [gpa, gpa+len) lies in RAM (no overflow, len may be 0).
  bool contains(uint64_t gpa, uint64_t len) const {
    return gpa <= size_ && len <= size_ - gpa;
  }
  // Host pointer to [gpa, gpa+len), or null when any byte is outside RAM.
  // The guest may change the bytes concurrently: copy before validating.
  uint8_t* hostPtr(uint64_t gpa, uint64_t len) const {
    return contains(gpa, len) ? base_ + gpa : nullptr;
  }
  // Copies; false (and nothing copied) when any byte is outside RAM.
  bool read(uint64_t gpa, void* out, size_t len) const;
  bool write(uint64_t gpa, const void* in, size_t len);

  // For KVM_SET_USER_MEMORY_REGION.
  uint8_t* hostBase() const { return base_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::string error_;
};

}  // namespace vmm
