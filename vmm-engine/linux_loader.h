// Loads a Linux kernel (bzImage) with the x86 Linux boot protocol
// (Documentation/x86/boot.rst, 64-bit boot protocol): the protected-mode
// kernel at 1 MiB, the zero page (struct boot_params) with the image's
// setup header, an e820 map, the command line and the initrd placed high,
// and entry at the 64-bit entry point (startup_64, 0x200 past the load
// address) in long mode with RSI = the zero page. Used by Vm::create for a
// `.vmx` with guest.kernel (docs/platform.md, "Linux guests").
//
// Kernel and initrd files are untrusted: every header field and size is
// checked before anything is copied; a bad file gives a message.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace vmm {

class GuestMemory;

// Guest-physical layout of a Linux boot (below 1 MiB: the monitor's).
inline constexpr uint64_t kZeroPageGpa = 0x7000;      // boot_params, 4 KiB
inline constexpr uint64_t kLinuxCmdlineGpa = 0x20000;  // up to 64 KiB
inline constexpr uint64_t kLinuxCmdlineRoom = 0x10000;
inline constexpr uint64_t kKernelLoadGpa = 0x100000;   // 1 MiB
inline constexpr uint64_t kEbdaStart = 0x9fc00;        // end of low RAM

// The fields of the setup header the loader uses (offsets in boot.rst).
struct BzImageHeader {
  uint8_t setupSects = 0;        // 0x1f1 (0 means 4)
  uint16_t version = 0;          // 0x206
  uint8_t loadflags = 0;         // 0x211
  uint32_t initrdAddrMax = 0;    // 0x22c
  uint32_t kernelAlignment = 0;  // 0x230
  uint8_t relocatable = 0;       // 0x234
  uint16_t xloadflags = 0;       // 0x236
  uint32_t cmdlineSize = 0;      // 0x238, without the NUL
  uint64_t prefAddress = 0;      // 0x258
  uint32_t initSize = 0;         // 0x260
  uint64_t setupBytes = 0;       // (setupSects + 1) * 512: the real-mode part
  uint64_t headerEnd = 0;        // 0x202 + byte 0x201: end of the header
};

// Checks that `image` is a bzImage this loader can boot: boot flag 0xaa55,
// "HdrS", protocol 2.12 or later, a 64-bit entry point (XLF_KERNEL_64),
// a protected-mode part after the setup sectors.
bool parseBzImage(std::span<const uint8_t> image, BzImageHeader& out,
                  std::string& error);

struct LinuxBoot {
  uint64_t entry = 0;          // linear (= physical) 64-bit entry point
  uint64_t zeroPage = kZeroPageGpa;
  uint64_t initrdGpa = 0, initrdBytes = 0;
  uint32_t e820Entries = 0;
};

// e820 entry types written in the zero page.
inline constexpr uint32_t kE820Ram = 1, kE820Reserved = 2;

// Loads `kernel` (a bzImage) and `initrd` (may be empty) into `mem` and
// writes the zero page and command line. Refuses a command line longer
// than the kernel's cmdline_size, a kernel or initrd that does not fit in
// RAM, or that would overlap the memory the kernel decompresses into.
bool loadLinux(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
               const std::string& cmdline, GuestMemory& mem, LinuxBoot& out,
               std::string& error);

// Reads the files (each refused when larger than RAM) and loads them; the
// error names the path. `initrdPath` may be empty.
bool loadLinuxFiles(const std::string& kernelPath,
                    const std::string& initrdPath, const std::string& cmdline,
                    GuestMemory& mem, LinuxBoot& out, std::string& error);

}  // namespace vmm
