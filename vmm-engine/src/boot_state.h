// The boot state of docs/platform.md ("Boot"): the monitor's page tables,
// GDT and boot information in low guest memory, and each vCPU's initial
// registers.
#pragma once

#include <cstdint>
#include <string>

struct kvm_regs;
struct kvm_sregs;

namespace vmm {

class GuestMemory;

inline constexpr uint64_t kBootInfoGpa = 0x7000, kGdtGpa = 0x8000,
                          kPml4Gpa = 0x9000;
inline constexpr uint64_t kHigherHalfBase = 0xffffffff80000000ull;
inline constexpr uint32_t kBootInfoMagic = 0x49425056;  // "VPBI"
inline constexpr size_t kCmdlineMax = 256;              // with the NUL

struct BootParams {
  uint64_t ramBytes;
  uint32_t numVcpus;
  uint64_t diskSectors;
  std::string cmdline;
};

// Which boot state a guest gets: the demo platform's (ELF image, boot
// information) or the Linux 64-bit boot protocol's (bzImage, zero page;
// linux_loader.h), whose GDT must have __BOOT_CS at 0x10, __BOOT_DS at 0x18.
enum class BootKind { Demo, Linux };

// Writes page tables, GDT and boot information. False if the command line
// does not fit.
bool writeBootStructures(GuestMemory& mem, const BootParams& p,
                         std::string& error);

// Writes the page tables and the Linux GDT (the zero page is the loader's).
void writeLinuxBootTables(GuestMemory& mem, uint64_t ramBytes);

// True when the boot page tables map `linear` (the entry point must be).
bool bootMapped(uint64_t linear, uint64_t ramBytes);

// Fills the long-mode special registers, starting from KVM's defaults in
// `s` (which keep a valid TR and LDTR).
void bootSregs(kvm_sregs& s, BootKind kind);
// RSI: the boot information (Demo) or the zero page (Linux), both 0x7000.
void bootRegs(kvm_regs& r, uint64_t entry, unsigned vcpuIndex);

}  // namespace vmm
