// The port I/O bus. Devices register port ranges before the VM starts;
// the vCPU loop hands every KVM_EXIT_IO to dispatch(), which looks the port
// up in a table and calls the device with an offset into its own range, as
// kvmtool's kvm__emulate_io does. The loop never names a device.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vmm {

class Vcpu;

class IoDevice {
 public:
  virtual ~IoDevice() = default;
  // One access of `size` (1, 2 or 4) bytes at `offset` from the base the
  // device registered, on the issuing vCPU's thread. `data` is
  // little-endian. in(): fill all `size` bytes.
  virtual void in(Vcpu& vcpu, uint16_t offset, uint8_t* data,
                  unsigned size) = 0;
  virtual void out(Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                   unsigned size) = 0;
  // A string instruction (rep ins/outs) of `count` elements, `size` bytes
  // each, packed in `data`. The defaults call in()/out() per element;
  // a device overrides them to take the whole string at once (the serial
  // port keeps a line from one vCPU together).
  virtual void inRep(Vcpu& vcpu, uint16_t offset, uint8_t* data,
                     unsigned size, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) in(vcpu, offset, data + i * size, size);
  }
  virtual void outRep(Vcpu& vcpu, uint16_t offset, const uint8_t* data,
                      unsigned size, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) out(vcpu, offset, data + i * size, size);
  }
};

class IoBus {
 public:
  IoBus();
  // Claims [base, base+count). False (with `error`) when the range wraps or
  // overlaps a registered one. Register before Vm::start(): the table is
  // read without locks by the vCPU threads. The device must outlive the VM
  // run.
  bool add(uint16_t base, uint32_t count, IoDevice* device,
           std::string& error);

  // `count` accesses of `size` bytes at `port` (count > 1: a string
  // instruction). Unclaimed ports read all ones and ignore writes.
  void in(Vcpu& vcpu, uint16_t port, uint8_t* data, unsigned size,
          uint32_t count = 1) const;
  void out(Vcpu& vcpu, uint16_t port, const uint8_t* data, unsigned size,
           uint32_t count = 1) const;

 private:
  struct Range {
    uint16_t base;
    IoDevice* device;
  };
  // Index into ranges_ + 1 per port; 0 = no device. 64 Ki bytes buys a
  // lookup with no search on the hottest exit.
  std::array<uint8_t, 65536> owner_{};
  std::vector<Range> ranges_;
};

}  // namespace vmm
