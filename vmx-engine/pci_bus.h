// PCI bus 0 for the virtio devices (docs/platform.md, "PCI"):
// configuration mechanism #1 on ports 0xcf8 (address, 32-bit) and
// 0xcfc-0xcff (data, 1/2/4 bytes), a host bridge at 00:00.0 (class
// 0x0600, which Linux's pci_sanity_check looks for), and up to 31 more
// single-function devices. No memory BARs, no MSI, no bridges: each device
// has at most one I/O BAR, fixed where the monitor placed it, and one
// INTx line on the PIC written in PCI_INTERRUPT_LINE (a BIOS's job; with
// `noapic` Linux keeps that IRQ).
//
// Threads: configuration accesses come on vCPU threads; the bus
// serialises them. Every access is guest input: accesses that are
// misaligned, cross a register, name another bus or function, or write a
// read-only field are ignored (reads of a missing device: all ones).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "vmm-engine/io_bus.h"

namespace vmx {

// One device's 256-byte configuration space. `offset` is aligned to
// `size` (1, 2 or 4) and within the space (the bus checks).
class PciFunction {
 public:
  virtual ~PciFunction() = default;
  virtual uint32_t configRead(uint8_t offset, unsigned size) = 0;
  virtual void configWrite(uint8_t offset, unsigned size, uint32_t value) = 0;
};

struct PciIds {
  uint16_t vendor, device;
  uint8_t revision;
  uint32_t classCode;  // class << 16 | subclass << 8 | programming interface
  uint16_t subsystemVendor = 0, subsystem = 0;
};

// A type-0 header as a BIOS leaves it: the IDs, I/O decoding and bus
// mastering enabled, BAR0 an I/O range of `ioSize` ports (a power of two,
// 4..256; 0 for none) at `ioBase` (aligned to the size), interrupt pin
// INTA# routed to PIC line `irq` (none when irq is 0xff).
// Writable: the command register's I/O, memory, bus-master and
// interrupt-disable bits, cache line size, latency timer, interrupt
// line, and BAR0 for the sizing probe only: writing all ones makes it
// read ~(size-1)|1 until the next BAR0 write, and any other value puts
// the fixed address back (the device cannot move: the port bus is fixed
// once the VM runs, and Linux keeps an address firmware assigned).
class PciConfigSpace : public PciFunction {
 public:
  PciConfigSpace(const PciIds& ids, uint16_t ioBase = 0, uint16_t ioSize = 0,
                 uint8_t irq = 0xff);
  uint32_t configRead(uint8_t offset, unsigned size) override;
  void configWrite(uint8_t offset, unsigned size, uint32_t value) override;
  uint16_t command() const;

 private:
  uint32_t bar0() const;
  std::array<uint8_t, 256> bytes_{};
  uint16_t ioBase_, ioSize_;
  bool sizing_ = false;
};

class PciBus : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0xcf8, kPorts = 8;
  static constexpr unsigned kSlots = 32;
  PciBus();
  // Puts `fn` in `slot` (1-31; 0 is the host bridge). False when the slot
  // is taken or out of range. Before the VM runs; `fn` outlives the bus.
  bool add(unsigned slot, PciFunction* fn);
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  // The ports without a vCPU (tests): `offset` from 0xcf8.
  uint32_t read(uint16_t offset, unsigned size);
  void write(uint16_t offset, unsigned size, uint32_t value);

 private:
  PciFunction* selected(uint16_t offset, unsigned size, uint8_t& reg) const;
  std::mutex mu_;
  uint32_t address_ = 0;
  PciConfigSpace bridge_;
  std::array<PciFunction*, kSlots> slots_{};
};

}  // namespace vmx
