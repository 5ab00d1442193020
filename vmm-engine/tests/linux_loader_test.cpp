// The Linux boot protocol loader (no KVM needed): the zero page it writes
// for Debian's real bzImage when one was downloaded (guests/linux/out or
// build/nested/kernel), and for a synthetic setup header always, plus the
// hostile headers it must refuse.
#include <catch2/catch.hpp>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <unistd.h>

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/linux_loader.h"

namespace {

template <class T>
T at(const std::vector<uint8_t>& b, size_t off) {
  T v;
  memcpy(&v, b.data() + off, sizeof v);
  return v;
}
template <class T>
void set(std::vector<uint8_t>& b, size_t off, T v) {
  memcpy(b.data() + off, &v, sizeof v);
}

// A bzImage as a 6.1 kernel's header describes it: 2.15, 64-bit entry,
// 4 setup sectors, 16 MiB preferred address, 32 MiB init size.
std::vector<uint8_t> syntheticBzImage(size_t pmBytes = 8192) {
  std::vector<uint8_t> img(5 * 512 + pmBytes, 0);
  img[0x1f1] = 4;
  set<uint16_t>(img, 0x1fe, 0xaa55);
  img[0x200] = 0xeb;
  img[0x201] = 0x6a;  // header ends at 0x26c
  memcpy(img.data() + 0x202, "HdrS", 4);
  set<uint16_t>(img, 0x206, 0x020f);
  img[0x211] = 0x01;  // LOADED_HIGH
  set<uint32_t>(img, 0x22c, 0x7fffffff);
  set<uint32_t>(img, 0x230, 0x200000);
  img[0x234] = 1;
  set<uint16_t>(img, 0x236, 0x7f);
  set<uint32_t>(img, 0x238, 2047);
  set<uint64_t>(img, 0x258, 0x1000000);
  set<uint32_t>(img, 0x260, 32 << 20);
  for (size_t i = 0; i < pmBytes; ++i) img[5 * 512 + i] = uint8_t(i * 7);
  return img;
}

std::string repoRoot() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string p = n > 0 ? std::string(exe, size_t(n)) : "";
  for (int i = 0; i < 3 && !p.empty(); ++i) p = p.substr(0, p.rfind('/'));
  return p;
}

// Debian's kernel where the guest's or the nested harness's build put it.
std::string debianKernel() {
  std::string root = repoRoot();
  if (access((root + "/guests/linux/out/vmlinuz").c_str(), R_OK) == 0)
    return root + "/guests/linux/out/vmlinuz";
  std::string boot = root + "/build/nested/kernel/boot";
  if (DIR* d = opendir(boot.c_str())) {
    std::string found;
    while (dirent* e = readdir(d))
      if (strncmp(e->d_name, "vmlinuz-", 8) == 0) found = boot + "/" + e->d_name;
    closedir(d);
    return found;
  }
  return "";
}

std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<uint8_t> zeroPage(vmm::GuestMemory& mem) {
  std::vector<uint8_t> zp(4096);
  REQUIRE(mem.read(vmm::kZeroPageGpa, zp.data(), zp.size()));
  return zp;
}

struct E820 {
  uint64_t addr, size;
  uint32_t type;
};
std::vector<E820> e820(const std::vector<uint8_t>& zp) {
  std::vector<E820> out;
  for (unsigned i = 0; i < zp[0x1e8]; ++i) {
    size_t o = 0x2d0 + i * 20;
    out.push_back({at<uint64_t>(zp, o), at<uint64_t>(zp, o + 8),
                   at<uint32_t>(zp, o + 16)});
  }
  return out;
}

// What every boot's zero page must say, whatever the kernel.
void checkZeroPage(const std::vector<uint8_t>& kernel, vmm::GuestMemory& mem,
                   const vmm::LinuxBoot& boot, const std::string& cmdline,
                   size_t initrdBytes) {
  auto zp = zeroPage(mem);
  size_t hdrEnd = 0x202 + kernel[0x201];
  // The setup header is the image's, but for the fields a loader fills.
  for (size_t o = 0x1f1; o < hdrEnd; ++o) {
    bool loaderField = o == 0x210 || o == 0x211 || (o >= 0x214 && o < 0x220) ||
                       (o >= 0x224 && o < 0x22c);
    if (!loaderField) REQUIRE(int(zp[o]) == int(kernel[o]));
  }
  CHECK(zp[0x210] == 0xff);                            // type_of_loader
  CHECK((zp[0x211] & 0x80) != 0);                      // CAN_USE_HEAP
  CHECK(at<uint32_t>(zp, 0x214) == 0x100000);          // code32_start
  CHECK(at<uint32_t>(zp, 0x228) == vmm::kLinuxCmdlineGpa);
  CHECK(at<uint32_t>(zp, 0x218) == uint32_t(boot.initrdGpa));
  CHECK(at<uint32_t>(zp, 0x21c) == initrdBytes);
  CHECK(boot.entry == 0x100200);
  std::vector<char> cmd(cmdline.size() + 1);
  REQUIRE(mem.read(vmm::kLinuxCmdlineGpa, cmd.data(), cmd.size()));
  CHECK(std::string(cmd.data()) == cmdline);
  auto map = e820(zp);
  REQUIRE(map.size() == 3);
  CHECK((map[0].addr == 0 && map[0].size == 0x9fc00 && map[0].type == 1));
  CHECK((map[1].addr == 0x9fc00 && map[1].type == 2));
  CHECK((map[2].addr == 0x100000 && map[2].addr + map[2].size == mem.size() &&
         map[2].type == 1));
  // The protected-mode kernel is at 1 MiB.
  size_t setup = (size_t(kernel[0x1f1] ? kernel[0x1f1] : 4) + 1) * 512;
  std::vector<uint8_t> pm(kernel.size() - setup);
  REQUIRE(mem.read(0x100000, pm.data(), pm.size()));
  CHECK(std::equal(pm.begin(), pm.end(), kernel.begin() + long(setup)));
}

}  // namespace

TEST_CASE("Debian's bzImage: zero page, e820, command line, initrd high") {
  std::string path = debianKernel();
  if (path.empty()) {
    WARN("no Debian kernel downloaded (make -C guests/linux): real-image "
         "case skipped, the synthetic one runs");
    return;
  }
  auto kernel = readAll(path);
  vmm::BzImageHeader h;
  std::string err;
  REQUIRE(vmm::parseBzImage(kernel, h, err));
  CHECK(h.version >= 0x020c);
  CHECK(h.cmdlineSize >= 255);
  CHECK(h.prefAddress == 0x1000000);  // x86-64 LOAD_PHYSICAL_ADDR
  CHECK(h.initSize > 0);
  vmm::GuestMemory mem(256 << 20);
  std::vector<uint8_t> initrd(3 << 20, 0x5a);
  std::string cmdline = "console=ttyS0 nokaslr";
  vmm::LinuxBoot boot;
  REQUIRE(vmm::loadLinux(kernel, initrd, cmdline, mem, boot, err));
  checkZeroPage(kernel, mem, boot, cmdline, initrd.size());
  CHECK(boot.initrdGpa % 4096 == 0);
  CHECK(boot.initrdGpa + initrd.size() <= mem.size());
  CHECK(boot.initrdGpa + initrd.size() > mem.size() - 4096);  // placed high
  CHECK(boot.initrdGpa >= h.prefAddress + h.initSize);
  uint8_t b = 0;
  REQUIRE(mem.read(boot.initrdGpa + 12345, &b, 1));
  CHECK(b == 0x5a);
}

TEST_CASE("a synthetic bzImage: the zero page a loader writes") {
  auto kernel = syntheticBzImage();
  vmm::GuestMemory mem(64 << 20);
  std::vector<uint8_t> initrd(100000, 1);
  vmm::LinuxBoot boot;
  std::string err;
  REQUIRE(vmm::loadLinux(kernel, initrd, "console=ttyS0", mem, boot, err));
  checkZeroPage(kernel, mem, boot, "console=ttyS0", initrd.size());
  CHECK(boot.initrdGpa == ((64 << 20) - 100000) / 4096 * 4096);
}

TEST_CASE("initrd_addr_max bounds where the initrd goes") {
  auto kernel = syntheticBzImage();
  set<uint32_t>(kernel, 0x22c, (48 << 20) - 1);
  set<uint32_t>(kernel, 0x260, 16 << 20);  // decompresses into 16-32 MiB
  vmm::GuestMemory mem(64 << 20);
  std::vector<uint8_t> initrd(5000, 1);
  vmm::LinuxBoot boot;
  std::string err;
  REQUIRE(vmm::loadLinux(kernel, initrd, "", mem, boot, err));
  CHECK(boot.initrdGpa + initrd.size() <= (48u << 20));
  CHECK(boot.initrdGpa == ((48 << 20) - 5000) / 4096 * 4096);
}

TEST_CASE("the kernel's cmdline_size limits the command line") {
  auto kernel = syntheticBzImage();
  set<uint32_t>(kernel, 0x238, 10);
  vmm::GuestMemory mem(64 << 20);
  vmm::LinuxBoot boot;
  std::string err;
  CHECK(vmm::loadLinux(kernel, {}, "0123456789", mem, boot, err));
  CHECK_FALSE(vmm::loadLinux(kernel, {}, "0123456789a", mem, boot, err));
  CHECK(err == "command line longer than the kernel's limit (10 bytes)");
}

TEST_CASE("hostile or unsupported bzImage headers are refused") {
  vmm::GuestMemory mem(64 << 20);
  vmm::LinuxBoot boot;
  std::string err;
  auto refuse = [&](std::vector<uint8_t> k) {
    err.clear();
    return !vmm::loadLinux(k, {}, "", mem, boot, err) && !err.empty();
  };
  CHECK(refuse(std::vector<uint8_t>(100, 0)));
  CHECK(err.find("too short") != std::string::npos);
  auto k = syntheticBzImage();
  set<uint16_t>(k, 0x1fe, 0);
  CHECK(refuse(k));
  CHECK(err.find("boot flag") != std::string::npos);
  k = syntheticBzImage();
  set<uint16_t>(k, 0x206, 0x0206);
  CHECK(refuse(k));
  CHECK(err == "boot protocol 2.06 too old (2.12 or later needed)");
  k = syntheticBzImage();
  set<uint16_t>(k, 0x236, 0);
  CHECK(refuse(k));
  CHECK(err.find("XLF_KERNEL_64") != std::string::npos);
  k = syntheticBzImage();
  k[0x1f1] = 200;  // setup sectors beyond the file
  CHECK(refuse(k));
  CHECK(err == "no protected-mode kernel after the setup sectors");
  k = syntheticBzImage();
  k[0x201] = 0x10;  // header too short to hold init_size
  CHECK(refuse(k));
  CHECK(err == "bad setup header length");
  k = syntheticBzImage();
  set<uint32_t>(k, 0x260, 0xffffffff);  // init_size beyond RAM
  CHECK(refuse(k));
  CHECK(err.find("does not fit in guest RAM") != std::string::npos);
  k = syntheticBzImage();
  set<uint64_t>(k, 0x258, ~0ull);  // preferred address beyond RAM
  CHECK(refuse(k));
  k = syntheticBzImage();
  std::vector<uint8_t> bigInitrd(40 << 20, 0);  // no room above 16+32 MiB
  CHECK_FALSE(vmm::loadLinux(k, bigInitrd, "", mem, boot, err));
  CHECK(err.find("initrd") != std::string::npos);
}
