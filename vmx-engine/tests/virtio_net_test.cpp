// The virtio network adapter and its legacy PCI transport without a VM:
// Linux's set-up, frames from the transmit queue to the host side and from
// the host side into receive chains, each firing its hook with the frame's
// length and guest address, hostile chains returned unsent, and a real
// round trip through libslirp (an ARP request for the gateway answered).
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "vmm-engine/guest_memory.h"
#include "vmx-engine/virtio_net.h"
#include "vmx-engine/virtio_pci.h"

using vmx::VirtioNet;
using vmx::VirtioPci;

namespace {
constexpr uint64_t kRam = 4 << 20;
constexpr uint16_t kSize = VirtioNet::kQueueSize;
constexpr uint32_t kPfn[2] = {0x10, 0x20};  // receive, transmit
constexpr uint64_t kHdr = 0x100000, kFrame = 0x101000, kRxBuf = 0x200000;
constexpr VirtioNet::Mac kMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
enum : uint16_t { kNext = 1, kWrite = 2 };

uint64_t descAddr(unsigned q) { return uint64_t(kPfn[q]) * 4096; }
uint64_t availAddr(unsigned q) { return descAddr(q) + 16 * kSize; }
uint64_t usedAddr(unsigned q) {
  return (availAddr(q) + 6 + 2 * kSize + 4095) / 4096 * 4096;
}

struct Recorder : vmx::NetHooks {
  std::mutex mu;
  std::vector<vmx::NetPacketEvent> sent, received;
  std::vector<std::vector<uint8_t>> receivedBytes;  // read in the hook
  vmm::GuestMemory* mem = nullptr;
  void onSend(const vmx::NetPacketEvent& e) override {
    std::lock_guard l(mu);
    sent.push_back(e);
  }
  void onReceive(const vmx::NetPacketEvent& e) override {
    std::lock_guard l(mu);
    received.push_back(e);
    std::vector<uint8_t> b(e.length);
    if (e.frameGpa) mem->read(e.frameGpa, b.data(), b.size());
    receivedBytes.push_back(b);
  }
};

struct Rig {
  vmm::GuestMemory mem{kRam};
  // Destroyed first (~Rig): its thread polls the queues until it stops.
  std::unique_ptr<VirtioNet> netOwner = std::make_unique<VirtioNet>(0, kMac);
  VirtioNet& net = *netOwner;
  VirtioPci pci{mem, net, 0xc040, 11, [](unsigned, bool) {}, "net"};
  Recorder hooks;
  std::mutex mu;
  std::vector<std::vector<uint8_t>> toHost;
  uint16_t avail[2] = {0, 0}, nextDesc[2] = {0, 0};

  explicit Rig(bool slirp = false) {
    REQUIRE(net.valid());
    hooks.mem = &mem;
    net.setHooks(&hooks);
    if (!slirp)
      net.setSinkForTest([this](const uint8_t* f, size_t n) {
        std::lock_guard l(mu);
        toHost.emplace_back(f, f + n);
      });
    pci.write(0x12, 1, 0);
    pci.write(0x12, 1, 3);
    pci.write(0x04, 4, pci.read(0x00, 4));
    for (uint16_t q = 0; q < 2; ++q) {
      pci.write(0x0e, 2, q);
      REQUIRE(pci.read(0x0c, 2) == kSize);
      pci.write(0x08, 4, kPfn[q]);
    }
    pci.write(0x12, 1, 7);
  }
  ~Rig() {
    net.setHooks(nullptr);
    netOwner.reset();
  }
  void desc(unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t d[16];
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    REQUIRE(mem.write(descAddr(q) + 16 * i, d, 16));
  }
  // Offers the chain of `bufs` ({addr, len, flags}) on queue q; returns
  // its head.
  uint16_t offer(unsigned q, std::vector<std::tuple<uint64_t, uint32_t, uint16_t>> bufs) {
    uint16_t head = nextDesc[q];
    for (size_t i = 0; i < bufs.size(); ++i) {
      auto [a, n, f] = bufs[i];
      bool last = i + 1 == bufs.size();
      desc(q, uint16_t(head + i), a, n, uint16_t(f | (last ? 0 : kNext)), uint16_t(head + i + 1));
    }
    nextDesc[q] = uint16_t((head + bufs.size()) % 128);
    REQUIRE(mem.write(availAddr(q) + 4 + 2 * (avail[q] % kSize), &head, 2));
    ++avail[q];
    REQUIRE(mem.write(availAddr(q) + 2, &avail[q], 2));
    pci.write(0x10, 2, q);
    return head;
  }
  // The used length of the newest used entry on q, once the device has
  // used everything offered (5 s at most).
  uint32_t waitUsed(unsigned q, uint16_t head) {
    for (int i = 0; i < 500; ++i) {
      uint16_t used = 0;
      mem.read(usedAddr(q) + 2, &used, 2);
      if (used == avail[q]) {
        uint32_t elem[2];
        mem.read(usedAddr(q) + 4 + 8 * ((avail[q] - 1) % kSize), elem, 8);
        CHECK(elem[0] == head);
        return elem[1];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("the device never used the chain");
    return 0;
  }
  void put(uint64_t gpa, const std::vector<uint8_t>& b) { REQUIRE(mem.write(gpa, b.data(), b.size())); }
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 13 + seed);
  return v;
}
}  // namespace

TEST_CASE("virtio-net: the features and the MAC Linux reads") {
  Rig r;
  CHECK(r.pci.read(0x00, 4) == 1u << 5);  // VIRTIO_NET_F_MAC only
  for (unsigned i = 0; i < 6; ++i) CHECK(r.pci.read(uint16_t(0x14 + i), 1) == kMac[i]);
  CHECK(r.pci.pciFunction().configRead(0, 4) == 0x10001af4u);
  CHECK(r.pci.pciFunction().configRead(8, 4) >> 8 == 0x020000u);  // Ethernet
}

TEST_CASE("virtio-net: a sent frame reaches the host with its hook; header and frame may be split") {
  Rig r;
  auto f = pattern(98, 1);
  r.put(kFrame, f);
  uint16_t h = r.offer(1, {{kHdr, 10, 0}, {kFrame, 98, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  // Header and frame in one buffer, then a frame in two buffers.
  std::vector<uint8_t> both(10, 0);
  auto g = pattern(60, 2);
  both.insert(both.end(), g.begin(), g.end());
  r.put(kHdr, both);
  h = r.offer(1, {{kHdr, 70, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  auto k = pattern(200, 3);
  r.put(kFrame, k);
  h = r.offer(1, {{kHdr, 10, 0}, {kFrame, 50, 0}, {kFrame + 50, 150, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  std::lock_guard l(r.mu), m(r.hooks.mu);
  REQUIRE(r.toHost.size() == 3);
  CHECK(r.toHost[0] == f);
  CHECK(r.toHost[1] == g);
  CHECK(r.toHost[2] == k);
  REQUIRE(r.hooks.sent.size() == 3);
  CHECK(r.hooks.sent[0].adapter == 0);
  CHECK(r.hooks.sent[0].length == 98);
  CHECK(r.hooks.sent[0].frameGpa == kFrame);
  CHECK(r.hooks.sent[1].frameGpa == kHdr + 10);
  CHECK(r.hooks.sent[2].length == 200);
  CHECK(r.hooks.sent[2].frameGpa == 0);  // not one buffer
  CHECK(r.net.framesSent() == 3);
}

TEST_CASE("virtio-net: hostile transmit chains are returned unsent, without a hook") {
  Rig r;
  // Shorter than the header; a header and no frame; only device-writable
  // buffers; a frame of 65536 bytes (over the limit).
  uint16_t h = r.offer(1, {{kHdr, 5, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  h = r.offer(1, {{kHdr, 10, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  h = r.offer(1, {{kHdr, 10, kWrite}, {kFrame, 100, kWrite}});
  CHECK(r.waitUsed(1, h) == 0);
  h = r.offer(1, {{kHdr, 10, 0}, {kFrame, 40000, 0}, {kFrame + 40000, 25536, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  // A frame of exactly 65535 bytes still goes.
  h = r.offer(1, {{kHdr, 10, 0}, {kFrame, 40000, 0}, {kFrame + 40000, 25535, 0}});
  CHECK(r.waitUsed(1, h) == 0);
  std::lock_guard l(r.mu), m(r.hooks.mu);
  REQUIRE(r.toHost.size() == 1);
  CHECK(r.toHost[0].size() == 65535);
  CHECK(r.hooks.sent.size() == 1);
  CHECK(r.net.framesDropped() == 4);
  CHECK(r.pci.queueError().empty());
}

TEST_CASE("virtio-net: a frame from the host waits for a receive chain, then fills it") {
  Rig r;
  auto f = pattern(98, 7);
  r.net.inject(f.data(), f.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  r.put(kRxBuf, std::vector<uint8_t>(1600, 0xee));
  uint16_t h = r.offer(0, {{kRxBuf, 10 + 1518, kWrite}});
  CHECK(r.waitUsed(0, h) == 10 + 98);
  std::vector<uint8_t> got(10 + 98);
  r.mem.read(kRxBuf, got.data(), got.size());
  CHECK(std::vector<uint8_t>(got.begin(), got.begin() + 10) == std::vector<uint8_t>(10, 0));
  CHECK(std::vector<uint8_t>(got.begin() + 10, got.end()) == f);
  // Too small a chain: the frame is dropped, the chain returned empty;
  // a chain the device may only read holds nothing either.
  r.net.inject(f.data(), f.size());
  h = r.offer(0, {{kRxBuf, 60, kWrite}});
  CHECK(r.waitUsed(0, h) == 0);
  r.net.inject(f.data(), f.size());
  h = r.offer(0, {{kRxBuf, 1600, 0}});
  CHECK(r.waitUsed(0, h) == 0);
  std::lock_guard m(r.hooks.mu);
  REQUIRE(r.hooks.received.size() == 1);
  CHECK(r.hooks.received[0].length == 98);
  CHECK(r.hooks.received[0].frameGpa == kRxBuf + 10);
  CHECK(r.hooks.receivedBytes[0] == f);  // in guest memory when the hook runs
  CHECK(r.net.framesReceived() == 1);
  CHECK(r.net.framesDropped() == 2);
}

TEST_CASE("virtio-net: libslirp answers an ARP request for the gateway 10.0.2.2") {
  Rig r(true);
  r.put(kRxBuf, std::vector<uint8_t>(1600, 0));
  uint16_t rx = r.offer(0, {{kRxBuf, 10 + 1518, kWrite}});
  std::vector<uint8_t> arp(10, 0);  // the virtio header
  std::vector<uint8_t> eth = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  eth.insert(eth.end(), kMac.begin(), kMac.end());
  std::vector<uint8_t> body = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
  body.insert(body.end(), kMac.begin(), kMac.end());
  for (uint8_t b : {10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2}) body.push_back(b);
  arp.insert(arp.end(), eth.begin(), eth.end());
  arp.insert(arp.end(), body.begin(), body.end());
  r.put(kHdr, arp);
  uint16_t tx = r.offer(1, {{kHdr, uint32_t(arp.size()), 0}});
  CHECK(r.waitUsed(1, tx) == 0);
  uint32_t n = r.waitUsed(0, rx);
  REQUIRE(n >= 10 + 42);
  std::vector<uint8_t> reply(n);
  r.mem.read(kRxBuf, reply.data(), n);
  const uint8_t* e = reply.data() + 10;
  CHECK(std::vector<uint8_t>(e, e + 6) == std::vector<uint8_t>(kMac.begin(), kMac.end()));
  CHECK((e[12] == 0x08 && e[13] == 0x06));  // ARP
  CHECK(e[21] == 2);                        // a reply
  CHECK(std::vector<uint8_t>(e + 28, e + 32) == std::vector<uint8_t>{10, 0, 2, 2});
  std::lock_guard m(r.hooks.mu);
  CHECK(r.hooks.sent.size() == 1);
  CHECK(r.hooks.received.size() == 1);
}
