// The legacy virtio-over-PCI transport (virtio 0.9.5; virtio 1.0, 4.1.4.8
// "Legacy Interfaces: A Note on PCI Device Layout"), shared by every
// virtio device of the Linux guest: a PCI function with vendor 0x1af4,
// device 0x0fff + the virtio type, revision 0, subsystem = the virtio
// type, and BAR0 an I/O range holding
//   0x00 device features (32, read)   0x04 driver features (32)
//   0x08 queue PFN (32)               0x0c queue size (16, read)
//   0x0e queue select (16)            0x10 queue notify (16, write)
//   0x12 device status (8)            0x13 ISR status (8, read clears)
//   0x14... the device's own configuration (no MSI-X: it is not offered).
// Interrupts go out on one INTx line: raised when a chain is returned (or
// the configuration changes), lowered when the driver reads ISR.
//
// A device type (virtio_blk.h; a network device the same way) implements
// VirtioDevice; the transport owns the queues, the registers and the
// interrupt, and hands the device the chains through VirtioQueues, from
// the device's own thread. Writing status 0 resets: queues disabled,
// features cleared, and chains the device still holds from before are
// dropped when it completes them (the epoch they carry is stale).
//
// Threads: registers on vCPU threads, VirtioQueues calls from the device's
// threads; one lock covers registers and queues. The transport calls the
// device (notify, reset) without holding it, so the device may hold its
// own lock while calling pop/complete.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <mutex>
#include <vector>

#include "vmm-engine/io_bus.h"
#include "vmx-engine/pc_devices.h"
#include "vmx-engine/pci_bus.h"
#include "vmx-engine/virtqueue.h"

namespace vmm {
class GuestMemory;
}

namespace vmx {

// What the transport gives a device; callable from any thread.
class VirtioQueues {
 public:
  virtual ~VirtioQueues() = default;
  // The next chain the driver made available on `queue`; false when there
  // is none, the queue is not set up, or it is broken.
  virtual bool pop(unsigned queue, VirtqChain& chain) = 0;
  // Returns `chain` (popped from `queue`) as used with `written` bytes
  // filled in, and interrupts the driver. Ignored after a reset.
  virtual void complete(unsigned queue, const VirtqChain& chain,
                        uint32_t written) = 0;
  virtual vmm::GuestMemory& memory() = 0;
  // Feature bits the driver accepted (a subset of the device's).
  virtual uint32_t driverFeatures() = 0;
};

// What a device type gives the transport. Config and notify/reset calls
// come on vCPU threads, without the transport's lock.
class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint16_t virtioType() const = 0;  // 1 network, 2 block
  virtual uint32_t pciClass() const = 0;    // e.g. 0x010000 storage
  virtual uint32_t features() const = 0;    // offered, bits 0-31
  virtual unsigned queueCount() const = 0;
  virtual uint16_t queueSize() const = 0;   // each queue's, a power of two
  virtual uint32_t configSize() const = 0;
  virtual uint8_t configByte(uint32_t offset) = 0;  // offset < configSize
  virtual void configWriteByte(uint32_t /*offset*/, uint8_t /*value*/) {}
  // Called once, by the transport's constructor, before any other call.
  virtual void connect(VirtioQueues& queues) = 0;
  // The driver made buffers available on `queue` (< queueCount).
  virtual void notify(unsigned queue) = 0;
  // The driver reset the device.
  virtual void reset() = 0;
};

class VirtioPci : public vmm::IoDevice, public VirtioQueues {
 public:
  static constexpr uint16_t kVendor = 0x1af4;
  static constexpr uint16_t kDeviceConfig = 0x14;
  // A line for the VM's log (vmx.log), about what the guest got wrong.
  using Log = std::function<void(const std::string&)>;
  // BAR0 at `ioBase` (aligned to ioSize()); interrupts on PIC `irq` via
  // `line`. `name` prefixes the log lines. Calls device.connect(*this).
  VirtioPci(vmm::GuestMemory& memory, VirtioDevice& device, uint16_t ioBase,
            uint8_t irq, IrqLine line, std::string name = "virtio",
            Log log = {});
  PciConfigSpace& pciFunction() { return pci_; }
  uint16_t ioBase() const { return ioBase_; }
  uint16_t ioSize() const { return ioSize_; }
  // The first queue error since the last reset (a broken queue), or "".
  // Each is also logged once, when the queue breaks or refuses its address.
  std::string queueError();

  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  // The registers without a vCPU (tests).
  uint32_t read(uint16_t offset, unsigned size);
  void write(uint16_t offset, unsigned size, uint32_t value);

  bool pop(unsigned queue, VirtqChain& chain) override;
  void complete(unsigned queue, const VirtqChain& chain,
                uint32_t written) override;
  vmm::GuestMemory& memory() override { return memory_; }
  uint32_t driverFeatures() override;

 private:
  uint8_t readByteLocked(uint16_t offset);
  bool writeRegisterLocked(uint16_t offset, unsigned size, uint32_t value,
                           int& notify);
  void resetLocked();
  void setIsrLocked(uint8_t bits);
  void logQueue(unsigned queue, const std::string& why);
  vmm::GuestMemory& memory_;
  VirtioDevice& device_;
  uint16_t ioBase_, ioSize_;
  uint8_t irq_;
  IrqLine line_;
  std::string name_;
  Log log_;
  PciConfigSpace pci_;
  std::mutex mu_;
  std::vector<std::unique_ptr<VirtQueue>> queues_;
  uint32_t driverFeatures_ = 0;
  uint16_t queueSelect_ = 0;
  uint8_t status_ = 0, isr_ = 0;
  uint32_t epoch_ = 1;
};

}  // namespace vmx
