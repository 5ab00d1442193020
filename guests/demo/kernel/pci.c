/* PCI configuration space through mechanism #1 (ports 0xcf8/0xcfc,
 * docs/platform.md "PCI"): the monitor's bus 0, one function per slot.
 * Used once at boot to find the network adapter; each access is two port
 * exits, so the scan stops at the first match. */
#include "kernel.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static uint32_t address(uint32_t slot, uint32_t reg) {
  return 0x80000000u | slot << 11 | (reg & 0xfc);
}

uint32_t pci_read32(uint32_t slot, uint32_t reg) {
  outl(PCI_ADDR, address(slot, reg));
  return inl(PCI_DATA);
}

void pci_write16(uint32_t slot, uint32_t reg, uint16_t v) {
  outl(PCI_ADDR, address(slot, reg));
  outw((uint16_t)(PCI_DATA + (reg & 2)), v);
}

/* The first slot of bus 0 holding vendor:device, or -1. Without a bus
 * (no ethernet0) the address register does not read back, and the scan
 * is skipped; an empty slot reads all ones. */
int pci_find(uint16_t vendor, uint16_t device) {
  uint32_t want = (uint32_t)device << 16 | vendor;
  outl(PCI_ADDR, address(0, 0));
  if (inl(PCI_ADDR) != address(0, 0)) return -1;
  for (uint32_t slot = 0; slot < 32; slot++)
    if (pci_read32(slot, 0) == want) return (int)slot;
  return -1;
}
