// The x86 Linux boot protocol, 64-bit entry (Documentation/x86/boot.rst):
// setup header checks, zero page, e820 map, command line, initrd.
#include "vmm-engine/linux_loader.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "vmm-engine/guest_memory.h"

namespace vmm {
namespace {

// Offsets into the image's first sector (= into boot_params: the setup
// header sits at the same place in both).
enum : size_t {
  kSetupSects = 0x1f1, kBootFlag = 0x1fe, kJump = 0x200, kHeaderMagic = 0x202,
  kVersion = 0x206, kTypeOfLoader = 0x210, kLoadflags = 0x211,
  kCode32Start = 0x214, kRamdiskImage = 0x218, kRamdiskSize = 0x21c,
  kHeapEndPtr = 0x224, kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22c,
  kKernelAlignment = 0x230, kRelocatable = 0x234, kXloadflags = 0x236,
  kCmdlineSize = 0x238, kPrefAddress = 0x258, kInitSize = 0x260,
};
// Fields of boot_params outside the setup header.
enum : size_t {
  kExtRamdiskImage = 0x0c0, kExtRamdiskSize = 0x0c4, kExtCmdLinePtr = 0x0c8,
  kE820EntriesOff = 0x1e8, kE820TableOff = 0x2d0,
};
constexpr size_t kZeroPageBytes = 4096, kE820Max = 128, kE820EntryBytes = 20;
constexpr uint16_t kMinVersion = 0x020c;  // 2.12: xloadflags, 64-bit entry
constexpr uint16_t kXlfKernel64 = 1;
constexpr uint8_t kCanUseHeap = 0x80;
constexpr uint64_t kStartup64Offset = 0x200;
constexpr uint64_t k4GiB = 1ull << 32;

template <class T>
T get(std::span<const uint8_t> b, size_t off) {
  T v;
  memcpy(&v, b.data() + off, sizeof v);  // callers checked off + sizeof v
  return v;
}
template <class T>
void put(uint8_t* b, size_t off, T v) {
  memcpy(b + off, &v, sizeof v);
}

uint64_t pageDown(uint64_t v) { return v & ~0xfffull; }

struct E820 {
  uint64_t addr, size;
  uint32_t type;
};

// Low RAM up to the EBDA, the BIOS area reserved, RAM from 1 MiB.
std::vector<E820> e820Map(uint64_t ram) {
  return {{0, kEbdaStart, kE820Ram},
          {kEbdaStart, 0x100000 - kEbdaStart, kE820Reserved},
          {0x100000, ram - 0x100000, kE820Ram}};
}

void writeE820(uint8_t* zp, const std::vector<E820>& map) {
  zp[kE820EntriesOff] = uint8_t(map.size());
  for (size_t i = 0; i < map.size() && i < kE820Max; ++i) {
    size_t o = kE820TableOff + i * kE820EntryBytes;
    put(zp, o, map[i].addr);
    put(zp, o + 8, map[i].size);
    put(zp, o + 16, map[i].type);
  }
}

// Where the initrd goes: as high as the kernel allows, page aligned,
// clear of the kernel's file copy and of where it decompresses to.
bool placeInitrd(const BzImageHeader& h, uint64_t kernelEnd, uint64_t bytes,
                 uint64_t ram, uint64_t& gpa, std::string& error) {
  uint64_t top = std::min({ram, uint64_t(h.initrdAddrMax) + 1, k4GiB});
  uint64_t floor = std::max(kernelEnd, h.prefAddress + h.initSize);
  if (bytes > top || pageDown(top - bytes) < floor) {
    error = "initrd (" + std::to_string(bytes) +
            " bytes) does not fit between the kernel and the top of RAM "
            "(raise memsize)";
    return false;
  }
  gpa = pageDown(top - bytes);
  return true;
}

bool readFile(const std::string& path, uint64_t limit, const char* what,
              std::vector<uint8_t>& out, std::string& error) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    error = path + ": cannot open the " + what;
    return false;
  }
  std::streamoff size = f.tellg();
  if (size < 0 || uint64_t(size) > limit) {
    error = path + ": " + what + " larger than guest RAM";
    return false;
  }
  out.resize(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(out.data()), size)) {
    error = path + ": cannot read the " + what;
    return false;
  }
  return true;
}

}  // namespace

bool parseBzImage(std::span<const uint8_t> image, BzImageHeader& h,
                  std::string& error) {
  if (image.size() < kInitSize + 4) {
    error = "not a bzImage (too short for a setup header)";
    return false;
  }
  if (get<uint16_t>(image, kBootFlag) != 0xaa55 ||
      memcmp(image.data() + kHeaderMagic, "HdrS", 4) != 0) {
    error = "not a bzImage (no boot flag 0xAA55 and \"HdrS\" magic)";
    return false;
  }
  h.version = get<uint16_t>(image, kVersion);
  if (h.version < kMinVersion) {
    char m[96];
    snprintf(m, sizeof m,
             "boot protocol %u.%02u too old (2.12 or later needed)",
             h.version >> 8, h.version & 0xff);
    error = m;
    return false;
  }
  h.xloadflags = get<uint16_t>(image, kXloadflags);
  if (!(h.xloadflags & kXlfKernel64)) {
    error = "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)";
    return false;
  }
  h.setupSects = image[kSetupSects];
  h.setupBytes = (uint64_t(h.setupSects ? h.setupSects : 4) + 1) * 512;
  h.headerEnd = kJump + 2 + image[kJump + 1];
  h.loadflags = image[kLoadflags];
  h.initrdAddrMax = get<uint32_t>(image, kInitrdAddrMax);
  h.kernelAlignment = get<uint32_t>(image, kKernelAlignment);
  h.relocatable = image[kRelocatable];
  h.cmdlineSize = get<uint32_t>(image, kCmdlineSize);
  h.prefAddress = get<uint64_t>(image, kPrefAddress);
  h.initSize = get<uint32_t>(image, kInitSize);
  if (h.headerEnd < kInitSize + 4 || h.headerEnd > kZeroPageBytes ||
      h.headerEnd > image.size()) {
    error = "bad setup header length";
    return false;
  }
  if (h.setupBytes >= image.size()) {
    error = "no protected-mode kernel after the setup sectors";
    return false;
  }
  return true;
}

bool loadLinux(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
               const std::string& cmdline, GuestMemory& mem, LinuxBoot& out,
               std::string& error) {
  BzImageHeader h;
  if (!parseBzImage(kernel, h, error)) return false;
  uint64_t cmdMax = std::min<uint64_t>(h.cmdlineSize, kLinuxCmdlineRoom - 1);
  if (cmdline.size() > cmdMax || cmdline.find('\0') != std::string::npos) {
    error = "command line longer than the kernel's limit (" +
            std::to_string(cmdMax) + " bytes)";
    return false;
  }
  uint64_t ram = mem.size();
  uint64_t pmBytes = kernel.size() - h.setupBytes;
  uint64_t kernelEnd = kKernelLoadGpa + pmBytes;
  if (kernelEnd > ram || h.prefAddress > ram ||
      h.initSize > ram - std::max(h.prefAddress, kKernelLoadGpa)) {
    error = "kernel does not fit in guest RAM (it needs " +
            std::to_string((std::max(h.prefAddress, kKernelLoadGpa) +
                            h.initSize) >> 20) +
            " MiB; raise memsize)";
    return false;
  }
  LinuxBoot b;
  b.initrdBytes = initrd.size();
  if (!initrd.empty() &&
      !placeInitrd(h, kernelEnd, initrd.size(), ram, b.initrdGpa, error))
    return false;

  // The zero page: zeroed, the image's setup header copied in, then the
  // fields a boot loader fills.
  uint8_t zp[kZeroPageBytes] = {};
  memcpy(zp + kSetupSects, kernel.data() + kSetupSects,
         h.headerEnd - kSetupSects);
  zp[kTypeOfLoader] = 0xff;  // undefined loader
  zp[kLoadflags] = uint8_t(h.loadflags | kCanUseHeap);
  put<uint16_t>(zp, kHeapEndPtr, 0xfe00);
  put<uint32_t>(zp, kCode32Start, uint32_t(kKernelLoadGpa));
  put<uint32_t>(zp, kCmdLinePtr, uint32_t(kLinuxCmdlineGpa));
  put<uint32_t>(zp, kExtCmdLinePtr, 0);
  put<uint32_t>(zp, kRamdiskImage, uint32_t(b.initrdGpa));
  put<uint32_t>(zp, kRamdiskSize, uint32_t(b.initrdBytes));
  put<uint32_t>(zp, kExtRamdiskImage, uint32_t(b.initrdGpa >> 32));
  put<uint32_t>(zp, kExtRamdiskSize, uint32_t(b.initrdBytes >> 32));
  auto map = e820Map(ram);
  writeE820(zp, map);
  b.e820Entries = uint32_t(map.size());

  // Every target was checked to lie in RAM (fixed low addresses: RAM is at
  // least 2 MiB, and the kernel's bounds above).
  std::vector<uint8_t> cmd(cmdline.begin(), cmdline.end());
  cmd.push_back(0);
  if (!mem.write(kZeroPageGpa, zp, sizeof zp) ||
      !mem.write(kLinuxCmdlineGpa, cmd.data(), cmd.size()) ||
      !mem.write(kKernelLoadGpa, kernel.data() + h.setupBytes, pmBytes) ||
      (!initrd.empty() &&
       !mem.write(b.initrdGpa, initrd.data(), initrd.size()))) {
    error = "kernel, initrd or boot structures outside guest RAM";
    return false;
  }
  b.entry = kKernelLoadGpa + kStartup64Offset;
  out = b;
  return true;
}

bool loadLinuxFiles(const std::string& kernelPath,
                    const std::string& initrdPath, const std::string& cmdline,
                    GuestMemory& mem, LinuxBoot& out, std::string& error) {
  std::vector<uint8_t> kernel, initrd;
  if (!readFile(kernelPath, mem.size(), "kernel", kernel, error)) return false;
  if (!initrdPath.empty() &&
      !readFile(initrdPath, mem.size(), "initrd", initrd, error))
    return false;
  if (!loadLinux(kernel, initrd, cmdline, mem, out, error)) {
    error = kernelPath + ": " + error;
    return false;
  }
  return true;
}

}  // namespace vmm
