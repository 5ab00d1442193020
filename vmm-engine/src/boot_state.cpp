#include "boot_state.h"

#include <algorithm>
#include <cstring>
#include <linux/kvm.h>

#include "vmm-engine/guest_memory.h"

namespace vmm {
namespace {

constexpr uint64_t kPdpLowGpa = 0xa000, kPdGpa = 0xb000,
                   kPdpHighGpa = 0xc000;
constexpr uint64_t kPresent = 1, kWritable = 2, kLarge = 1ull << 7;
constexpr uint64_t kGiB = 1ull << 30, k2MiB = 2ull << 20;

// How much of RAM the boot tables map: the first GiB at most, in whole
// 2 MiB pages.
uint64_t mappedBytes(uint64_t ram) {
  return std::min(kGiB, (ram + k2MiB - 1) & ~(k2MiB - 1));
}

void put64(GuestMemory& mem, uint64_t gpa, uint64_t v) {
  mem.write(gpa, &v, 8);  // all targets are below 0x10000, inside RAM
}

void writePageTables(GuestMemory& mem, uint64_t ram) {
  const uint64_t table = kPresent | kWritable;
  // Virtual 0: PML4[0] -> PDPT low [0] -> PD. Virtual 0xffffffff80000000:
  // PML4[511] -> PDPT high [510] -> the same PD. Separate PDPTs keep the
  // mapping to exactly these two windows.
  put64(mem, kPml4Gpa + 0 * 8, kPdpLowGpa | table);
  put64(mem, kPml4Gpa + 511 * 8, kPdpHighGpa | table);
  put64(mem, kPdpLowGpa + 0 * 8, kPdGpa | table);
  put64(mem, kPdpHighGpa + 510 * 8, kPdGpa | table);
  for (uint64_t i = 0; i < mappedBytes(ram) / k2MiB; ++i)
    put64(mem, kPdGpa + i * 8, (i * k2MiB) | table | kLarge);
}

constexpr uint64_t kCode64 = 0x00af9b000000ffffull;  // DPL0, present, accessed
constexpr uint64_t kData = 0x00cf93000000ffffull;    // writable, present
// Demo: code 0x08, data 0x10. Linux: code 0x10, data 0x18 (boot.rst).
struct GdtLayout {
  uint16_t cs, ds, limit;
};
GdtLayout gdtLayout(BootKind kind) {
  return kind == BootKind::Linux ? GdtLayout{0x10, 0x18, 31}
                                 : GdtLayout{0x08, 0x10, 23};
}

void writeGdt(GuestMemory& mem, BootKind kind) {
  GdtLayout l = gdtLayout(kind);
  uint64_t gdt[4] = {};
  gdt[l.cs / 8] = kCode64;
  gdt[l.ds / 8] = kData;
  mem.write(kGdtGpa, gdt, l.limit + 1u);
}

struct BootInfo {
  uint32_t magic, version;
  uint64_t ramBytes;
  uint32_t numVcpus, zero;
  uint64_t diskSectors;
  char cmdline[kCmdlineMax];
};
static_assert(sizeof(BootInfo) == 32 + kCmdlineMax);

kvm_segment segment(uint16_t sel, uint8_t type, bool code) {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = sel;
  s.type = type;
  s.present = 1;
  s.s = 1;
  s.g = 1;
  s.l = code ? 1 : 0;
  s.db = code ? 0 : 1;
  return s;
}

}  // namespace

bool writeBootStructures(GuestMemory& mem, const BootParams& p,
                         std::string& error) {
  if (p.cmdline.size() >= kCmdlineMax) {
    error = "command line longer than " + std::to_string(kCmdlineMax - 1) +
            " bytes";
    return false;
  }
  writePageTables(mem, p.ramBytes);
  writeGdt(mem, BootKind::Demo);
  BootInfo bi{};
  bi.magic = kBootInfoMagic;
  bi.version = 1;
  bi.ramBytes = p.ramBytes;
  bi.numVcpus = p.numVcpus;
  bi.diskSectors = p.diskSectors;
  memcpy(bi.cmdline, p.cmdline.data(), p.cmdline.size());
  mem.write(kBootInfoGpa, &bi, sizeof bi);
  return true;
}

void writeLinuxBootTables(GuestMemory& mem, uint64_t ramBytes) {
  writePageTables(mem, ramBytes);
  writeGdt(mem, BootKind::Linux);
}

bool bootMapped(uint64_t linear, uint64_t ramBytes) {
  uint64_t n = mappedBytes(ramBytes);
  return linear < n ||
         (linear >= kHigherHalfBase && linear - kHigherHalfBase < n);
}

void bootSregs(kvm_sregs& s, BootKind kind) {
  GdtLayout l = gdtLayout(kind);
  s.cs = segment(l.cs, 0xb, true);
  s.ds = s.es = s.fs = s.gs = s.ss = segment(l.ds, 0x3, false);
  s.gdt.base = kGdtGpa;
  s.gdt.limit = l.limit;
  s.cr3 = kPml4Gpa;
  // CR0: PE, ET, NE, WP, PG. CR4: PAE, OSFXSR. EFER: SCE, LME, LMA, NXE.
  s.cr0 = 0x1 | 0x10 | 0x20 | 0x10000 | 0x80000000;
  s.cr4 = 0x20 | 0x200;
  s.efer = 0x1 | 0x100 | 0x400 | 0x800;
}

void bootRegs(kvm_regs& r, uint64_t entry, unsigned vcpuIndex) {
  memset(&r, 0, sizeof r);
  r.rip = entry;
  r.rflags = 0x2;  // bit 1 is always set; IF clear
  r.rdi = vcpuIndex;
  r.rsi = kBootInfoGpa;
  r.rsp = kBootInfoGpa - 0x400ull * vcpuIndex;
}

}  // namespace vmm
