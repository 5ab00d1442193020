// The PCI bus without a VM: configuration mechanism #1 as Linux probes it,
// the host bridge it looks for, BAR sizing, and accesses a guest should
// not be able to make count.
#include <catch2/catch.hpp>

#include "vmx-engine/pci_bus.h"

using vmx::PciBus;
using vmx::PciConfigSpace;

namespace {
constexpr uint32_t addr(unsigned dev, unsigned reg, unsigned fn = 0,
                        unsigned bus = 0) {
  return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

uint32_t cfg(PciBus& b, uint32_t address, unsigned size = 4,
             unsigned byte = 0) {
  b.write(0, 4, address);
  return b.read(uint16_t(4 + byte), size);
}

const vmx::PciIds kVirtioBlk{0x1af4, 0x1001, 0, 0x018000, 0x1af4, 2};
}  // namespace

TEST_CASE("PCI: Linux's conf1 probe finds the address register and a host bridge") {
  PciBus bus;
  // pci_check_type1: a byte to 0xcfb must not land in the address.
  bus.write(3, 1, 0x01);
  bus.write(0, 4, 0x80000000u);
  CHECK(bus.read(0, 4) == 0x80000000u);
  // pci_sanity_check: class "host bridge" at 00:00.0.
  CHECK(cfg(bus, addr(0, 0x08), 2, 2) == 0x0600);
  CHECK(cfg(bus, addr(0, 0x00), 2) == 0x8086);
}

TEST_CASE("PCI: a device's header reads back; empty slots, functions and buses read all ones") {
  PciBus bus;
  PciConfigSpace dev(kVirtioBlk, 0xc000, 64, 10);
  REQUIRE(bus.add(1, &dev));
  CHECK(cfg(bus, addr(1, 0x00)) == 0x10011af4u);
  CHECK(cfg(bus, addr(1, 0x2c)) == 0x00021af4u);     // subsystem
  CHECK(cfg(bus, addr(1, 0x08)) == 0x01800000u);     // class, revision 0
  CHECK(cfg(bus, addr(1, 0x3c), 2) == 0x010a);       // pin A, line 10
  CHECK(cfg(bus, addr(1, 0x0a), 1, 2) == 0x80);      // byte access at +2
  CHECK(cfg(bus, addr(2, 0x00)) == 0xffffffffu);     // empty slot
  CHECK(cfg(bus, addr(1, 0x00, 1)) == 0xffffffffu);  // function 1
  CHECK(cfg(bus, addr(1, 0x00, 0, 1)) == 0xffffffffu);  // bus 1
  CHECK(cfg(bus, addr(1, 0x00) & 0x7fffffffu) == 0xffffffffu);  // disabled
  CHECK(cfg(bus, addr(1, 0x00), 2, 1) == 0xffff);    // misaligned word
}

TEST_CASE("PCI: BAR0 sizing answers the size, and the BAR cannot be moved") {
  PciBus bus;
  PciConfigSpace dev(kVirtioBlk, 0xc000, 64, 10);
  REQUIRE(bus.add(1, &dev));
  CHECK(cfg(bus, addr(1, 0x10)) == 0xc001u);
  bus.write(4, 4, 0xffffffffu);
  CHECK(bus.read(4, 4) == 0xffffffc1u);  // I/O, 64 ports
  bus.write(4, 4, 0xc001u);
  CHECK(bus.read(4, 4) == 0xc001u);
  bus.write(4, 4, 0x1000u);  // elsewhere: refused
  CHECK(bus.read(4, 4) == 0xc001u);
  CHECK(cfg(bus, addr(1, 0x14)) == 0u);  // no BAR1
}

TEST_CASE("PCI: only the writable fields change") {
  PciBus bus;
  PciConfigSpace dev(kVirtioBlk, 0xc000, 64, 10);
  REQUIRE(bus.add(1, &dev));
  bus.write(0, 4, addr(1, 0x00));
  bus.write(4, 4, 0x12345678u);  // IDs are read-only
  CHECK(bus.read(4, 4) == 0x10011af4u);
  bus.write(0, 4, addr(1, 0x04));
  bus.write(4, 2, 0xffff);  // command: I/O, memory, master, INTx disable
  CHECK(bus.read(4, 2) == 0x0407);
  CHECK(dev.command() == 0x0407);
  bus.write(0, 4, addr(1, 0x3c));
  bus.write(4, 2, 0xff0b);  // line writable, pin not
  CHECK(bus.read(4, 2) == 0x010b);
  bus.write(0, 4, addr(1, 0x08));
  bus.write(5, 1, 0xee);  // class: read-only
  CHECK(bus.read(4, 4) == 0x01800000u);
}

TEST_CASE("PCI: slots are claimed once, 1 to 31") {
  PciBus bus;
  PciConfigSpace a(kVirtioBlk), b(kVirtioBlk);
  CHECK_FALSE(bus.add(0, &a));  // the host bridge's
  CHECK_FALSE(bus.add(32, &a));
  CHECK(bus.add(31, &a));
  CHECK_FALSE(bus.add(31, &b));
  CHECK_FALSE(bus.add(5, nullptr));
}
