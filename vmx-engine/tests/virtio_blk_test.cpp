// The virtio disk and its legacy PCI transport without a VM: a driver's
// set-up as Linux's virtio_pci_legacy does it, reads and writes that reach
// the file and fire the disk hooks with the request's numbers, bad
// requests answered with an error status, a hostile chain breaking only
// its queue, and the INTx line following ISR.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "vmm-engine/guest_memory.h"
#include "vmx-client/tests/temp_dir.h"
#include "vmx-engine/virtio_blk.h"
#include "vmx-engine/virtio_pci.h"

using vmx::VirtioBlk;
using vmx::VirtioPci;

namespace {
constexpr uint64_t kRam = 4 << 20;
constexpr uint32_t kPfn = 0x10;
constexpr uint16_t kSize = VirtioBlk::kQueueSize;
constexpr uint64_t kDesc = uint64_t(kPfn) * 4096, kAvail = kDesc + 16 * kSize,
                   kUsed = kDesc + 4096;  // avail ends before 4 KiB
constexpr uint64_t kHeader = 0x100000, kData = 0x101000, kStatus = 0x110000;
constexpr uint64_t kSectors = 64;
enum : uint16_t { kNext = 1, kWrite = 2 };

struct Recorder : vmx::DiskHooks {
  std::mutex mu;
  std::vector<vmx::DiskIoEvent> starts, finishes;
  void onIoStart(const vmx::DiskIoEvent& e) override {
    std::lock_guard l(mu);
    starts.push_back(e);
  }
  void onIoFinish(const vmx::DiskIoEvent& e) override {
    std::lock_guard l(mu);
    finishes.push_back(e);
  }
};

struct Rig {
  vmxtest::TempDir dir;
  vmm::GuestMemory mem{kRam};
  VirtioBlk blk{dir.file("disk.img"), kSectors};
  std::mutex mu;
  std::vector<bool> levels;  // the INTx line's changes
  std::vector<std::string> logged;
  VirtioPci pci{mem, blk, 0xc000, 10,
                [this](unsigned line, bool level) {
                  std::lock_guard l(mu);
                  if (line == 10) levels.push_back(level);
                },
                "disk", [this](const std::string& s) {
                  std::lock_guard l(mu);
                  logged.push_back(s);
                }};
  Recorder hooks;
  uint16_t avail = 0, nextDesc = 0;

  Rig() {
    REQUIRE(blk.valid());
    blk.setHooks(&hooks);
    // virtio_pci_legacy: reset, ACKNOWLEDGE|DRIVER, features, queue 0.
    pci.write(0x12, 1, 0);
    pci.write(0x12, 1, 3);
    pci.write(0x04, 4, pci.read(0x00, 4));
    pci.write(0x0e, 2, 0);
    REQUIRE(pci.read(0x0c, 2) == kSize);
    pci.write(0x08, 4, kPfn);
    pci.write(0x12, 1, 7);
  }
  ~Rig() { blk.setHooks(nullptr); }
  void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next) {
    uint8_t d[16];
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    REQUIRE(mem.write(kDesc + 16 * i, d, 16));
  }
  // Offers header, `data` buffers of `len` bytes each, status; returns
  // when the device has used it (or after 5 s). The used length.
  uint32_t request(uint32_t type, uint64_t sector, unsigned buffers,
                   uint32_t len) {
    uint8_t h[16] = {};
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
    REQUIRE(mem.write(kHeader, h, 16));
    uint8_t st = 0xee;
    REQUIRE(mem.write(kStatus, &st, 1));
    uint16_t head = nextDesc;
    // IN and GET_ID fill the data; OUT (and the rest) supply it.
    uint16_t dataFlags = kNext | (type == 0 || type == 8 ? kWrite : 0);
    desc(head, kHeader, 16, kNext, uint16_t(head + 1));
    for (unsigned b = 0; b < buffers; ++b)
      desc(uint16_t(head + 1 + b), kData + b * 0x1000, len, dataFlags,
           uint16_t(head + 2 + b));
    desc(uint16_t(head + 1 + buffers), kStatus, 1, kWrite, 0);
    nextDesc = uint16_t((head + 2 + buffers) % 64);
    REQUIRE(mem.write(kAvail + 4 + 2 * (avail % kSize), &head, 2));
    ++avail;
    REQUIRE(mem.write(kAvail + 2, &avail, 2));
    pci.write(0x10, 2, 0);  // notify queue 0
    return waitUsed(head);
  }
  uint32_t waitUsed(uint16_t head) {
    for (int i = 0; i < 500; ++i) {
      uint16_t used = 0;
      mem.read(kUsed + 2, &used, 2);
      if (used == avail) {
        uint32_t elem[2];
        mem.read(kUsed + 4 + 8 * ((avail - 1) % kSize), elem, 8);
        CHECK(elem[0] == head);
        return elem[1];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("the device never used the chain");
    return 0;
  }
  uint8_t status() {
    uint8_t s = 0;
    mem.read(kStatus, &s, 1);
    return s;
  }
};
}  // namespace

TEST_CASE("virtio-blk: the PCI identity and configuration Linux reads") {
  Rig r;
  vmx::PciConfigSpace& f = r.pci.pciFunction();
  CHECK(f.configRead(0x00, 4) == 0x10011af4u);
  CHECK(f.configRead(0x2c, 4) == 0x00021af4u);
  CHECK(f.configRead(0x08, 1) == 0);  // legacy ABI revision 0
  CHECK(f.configRead(0x10, 4) == 0xc001u);
  CHECK(r.pci.ioSize() == 64);
  CHECK(r.pci.read(0x00, 4) == ((1u << 2) | (1u << 6)));  // SEG_MAX, BLK_SIZE
  CHECK(r.pci.read(0x14, 4) == kSectors);  // capacity, low
  CHECK(r.pci.read(0x18, 4) == 0);
  CHECK(r.pci.read(0x20, 4) == VirtioBlk::kSegMax);
  CHECK(r.pci.read(0x28, 4) == 512);  // blk_size
  CHECK(r.pci.read(0x0e, 2) == 0);
  r.pci.write(0x0e, 2, 1);  // queue 1 does not exist: size 0
  CHECK(r.pci.read(0x0c, 2) == 0);
  r.pci.write(0x0e, 2, 0);
  r.pci.write(0x08, 4, 0x7fffffff);  // rings far outside RAM: refused
  CHECK(r.pci.read(0x08, 4) == 0);
  std::lock_guard l(r.mu);
  REQUIRE(r.logged.size() == 1);
  CHECK_THAT(r.logged[0], Catch::Contains("outside RAM"));
}

TEST_CASE("virtio-blk: a write then a read reach the file, each between its two hooks") {
  Rig r;
  std::vector<uint8_t> pattern(2 * 4096);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = uint8_t(i * 13 + 1);
  REQUIRE(r.mem.write(kData, pattern.data(), 4096));
  REQUIRE(r.mem.write(kData + 0x1000, pattern.data() + 4096, 4096));
  CHECK(r.request(1, 8, 2, 4096) == 1);  // a write: only the status written
  CHECK(r.status() == 0);
  std::vector<uint8_t> zero(8192, 0);
  r.mem.write(kData, zero.data(), 4096);
  r.mem.write(kData + 0x1000, zero.data(), 4096);
  CHECK(r.request(0, 8, 2, 4096) == 8193);
  CHECK(r.status() == 0);
  std::vector<uint8_t> back(8192);
  r.mem.read(kData, back.data(), 4096);
  r.mem.read(kData + 0x1000, back.data() + 4096, 4096);
  CHECK(back == pattern);
  std::ifstream file(r.dir.file("disk.img"), std::ios::binary);
  std::vector<uint8_t> onDisk(8192);
  file.seekg(8 * 512);
  file.read(reinterpret_cast<char*>(onDisk.data()), 8192);
  CHECK(onDisk == pattern);
  REQUIRE(r.hooks.finishes.size() == 2);
  REQUIRE(r.hooks.starts.size() == 2);
  for (int i = 0; i < 2; ++i) {
    const vmx::DiskIoEvent &s = r.hooks.starts[i], &f = r.hooks.finishes[i];
    CHECK(s.args() == f.args());
    CHECK(s.adapterType == vmx::kVirtioAdapterType);
    CHECK(s.ioId == uint64_t(i + 1));
    CHECK(s.isRead == uint64_t(i));
    CHECK(s.startSector == 8);
    CHECK(s.numSectors == 16);
    CHECK(s.numSgEntries == 2);
  }
  // Each completion raised the line; reading ISR lowers it.
  CHECK(r.pci.read(0x13, 1) == 1);
  CHECK(r.pci.read(0x13, 1) == 0);
  std::lock_guard l(r.mu);
  REQUIRE_FALSE(r.levels.empty());
  CHECK(r.levels.front());
  CHECK_FALSE(r.levels.back());
}

TEST_CASE("virtio-blk: requests past the end, of part sectors or unknown types fail without a probe") {
  Rig r;
  CHECK(r.request(0, kSectors - 1, 1, 1024) == 1);  // one sector too many
  CHECK(r.status() == 1);                            // VIRTIO_BLK_S_IOERR
  CHECK(r.request(0, ~0ull - 1, 1, 1024) == 1);      // sector + count wraps
  CHECK(r.status() == 1);
  CHECK(r.request(1, 0, 1, 100) == 1);  // not whole sectors
  CHECK(r.status() == 1);
  CHECK(r.request(4, 0, 1, 512) == 1);  // FLUSH: not offered
  CHECK(r.status() == 2);               // VIRTIO_BLK_S_UNSUPP
  CHECK(r.request(8, 0, 1, 512) == 21);  // GET_ID: 20 bytes and the status
  CHECK(r.status() == 0);
  char id[20];
  r.mem.read(kData, id, 20);
  CHECK(std::string(id) == "vprobes-disk0");
  CHECK(r.hooks.starts.empty());
  CHECK(r.hooks.finishes.empty());
}

TEST_CASE("virtio-blk: a looping chain breaks the queue, a reset brings it back") {
  Rig r;
  r.desc(0, kHeader, 16, kNext, 1);
  r.desc(1, kData, 512, kNext | kWrite, 1);  // to itself
  uint16_t head = 0;
  r.mem.write(kAvail + 4, &head, 2);
  r.avail = 1;
  r.mem.write(kAvail + 2, &r.avail, 2);
  r.pci.write(0x10, 2, 0);
  for (int i = 0; i < 500 && r.pci.queueError().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_THAT(r.pci.queueError(), Catch::Contains("loop"));
  {
    std::lock_guard l(r.mu);
    REQUIRE(r.logged.size() == 1);
    CHECK_THAT(r.logged[0], Catch::StartsWith("disk: queue 0 stopped: descriptor chain longer"));
  }
  vmx::VirtqChain chain;
  CHECK_FALSE(r.pci.pop(0, chain));  // nothing more, and logged only once
  {
    std::lock_guard l(r.mu);
    CHECK(r.logged.size() == 1);
  }
  // The driver resets and sets the queue up again: requests work.
  r.pci.write(0x12, 1, 0);
  CHECK(r.pci.queueError().empty());
  CHECK(r.pci.read(0x08, 4) == 0);
  r.pci.write(0x08, 4, kPfn);
  r.pci.write(0x12, 1, 7);
  r.avail = 0;
  r.mem.write(kAvail + 2, &r.avail, 2);
  r.nextDesc = 0;
  CHECK(r.request(0, 0, 1, 512) == 513);
  CHECK(r.status() == 0);
}
