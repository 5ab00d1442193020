// The PC device models of a Linux guest without a VM: the PIC pair's
// priorities, masking, EOIs and cascade; the PIT's counter, modes and
// interrupt rate; the 16550's registers, loopback and interrupts; the
// CMOS clock.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "vmx-engine/pc_devices.h"

using vmx::PicPair;

namespace {

// Programs the pair as Linux's init_8259A does: master vectors 0x30,
// slave 0x38, cascade on IR2, 8086 mode, normal EOI; all unmasked but
// what `masterMask`/`slaveMask` say.
void initLikeLinux(PicPair& pic, uint8_t masterMask = 0, uint8_t slaveMask = 0,
                   bool autoEoi = false) {
  pic.write(0, 0, 0x11);  // ICW1: edge, cascade, ICW4
  pic.write(0, 1, 0x30);  // ICW2
  pic.write(0, 1, 0x04);  // ICW3: slave on IR2
  pic.write(0, 1, autoEoi ? 0x03 : 0x01);
  pic.write(1, 0, 0x11);
  pic.write(1, 1, 0x38);
  pic.write(1, 1, 0x02);
  pic.write(1, 1, 0x01);
  pic.write(0, 1, masterMask);
  pic.write(1, 1, slaveMask);
}

void pulse(PicPair& pic, unsigned irq) {
  pic.setIrq(irq, true);
  pic.setIrq(irq, false);
}

}  // namespace

TEST_CASE("PIC: vectors, priority and specific EOI, as Linux drives it") {
  int wakes = 0;
  PicPair pic([&] { ++wakes; });
  initLikeLinux(pic);
  CHECK_FALSE(pic.interruptRequested());
  pulse(pic, 4);
  pulse(pic, 0);
  CHECK(wakes > 0);
  REQUIRE(pic.interruptRequested());
  CHECK(pic.acknowledge() == 0x30);  // IRQ 0 outranks IRQ 4
  // IRQ 0 in service blocks IRQ 4 (fully nested) until its EOI.
  CHECK_FALSE(pic.interruptRequested());
  pic.write(0, 0, 0x0b);  // OCW3: read ISR
  CHECK(pic.read(0, 0) == 0x01);
  pic.write(0, 0, 0x0a);  // read IRR
  CHECK(pic.read(0, 0) == 0x10);
  pic.write(0, 0, 0x60);  // specific EOI, IRQ 0
  REQUIRE(pic.interruptRequested());
  CHECK(pic.acknowledge() == 0x34);
  pic.write(0, 0, 0x20);  // non-specific EOI
  pic.write(0, 0, 0x0b);
  CHECK(pic.read(0, 0) == 0);
  CHECK_FALSE(pic.interruptRequested());
}

TEST_CASE("PIC: a higher priority request nests over one in service") {
  PicPair pic([] {});
  initLikeLinux(pic);
  pulse(pic, 3);
  CHECK(pic.acknowledge() == 0x33);
  pulse(pic, 1);
  REQUIRE(pic.interruptRequested());
  CHECK(pic.acknowledge() == 0x31);
  pulse(pic, 5);
  CHECK_FALSE(pic.interruptRequested());
  pic.write(0, 0, 0x20);  // ends IRQ 1, the highest in service
  CHECK_FALSE(pic.interruptRequested());  // IRQ 3 still in service
  pic.write(0, 0, 0x20);
  CHECK(pic.acknowledge() == 0x35);
}

TEST_CASE("PIC: masking, IMR read back, edges") {
  PicPair pic([] {});
  initLikeLinux(pic, 0x01);
  CHECK(pic.read(0, 1) == 0x01);
  pic.setIrq(0, true);
  CHECK_FALSE(pic.interruptRequested());  // masked, but latched in IRR
  pic.write(0, 1, 0x00);
  REQUIRE(pic.interruptRequested());
  CHECK(pic.acknowledge() == 0x30);
  pic.write(0, 0, 0x20);
  pic.setIrq(0, true);  // still high: no new edge, no new request
  CHECK_FALSE(pic.interruptRequested());
  pic.setIrq(0, false);
  pic.setIrq(0, true);
  CHECK(pic.interruptRequested());
}

TEST_CASE("PIC: slave interrupts come through the cascade, EOI on both") {
  PicPair pic([] {});
  initLikeLinux(pic);
  pulse(pic, 8 + 4);  // IRQ 12
  REQUIRE(pic.interruptRequested());
  CHECK(pic.acknowledge() == 0x3c);
  pic.write(1, 0, 0x0b);
  CHECK(pic.read(1, 0) == 0x10);
  pic.write(0, 0, 0x0b);
  CHECK(pic.read(0, 0) == 0x04);  // the cascade line in service
  pic.write(1, 0, 0x64);  // specific EOI on the slave
  pic.write(0, 0, 0x62);  // and for IR2 on the master
  CHECK(pic.read(0, 0) == 0);
  // A masked slave line does not reach the master.
  pic.write(1, 1, 0x10);
  pulse(pic, 12);
  CHECK_FALSE(pic.interruptRequested());
}

TEST_CASE("PIC: spurious INTA, auto EOI, poll, rotation") {
  PicPair pic([] {});
  initLikeLinux(pic);
  CHECK(pic.acknowledge() == 0x37);  // nothing requested: IR7, no ISR
  pic.write(0, 0, 0x0b);
  CHECK(pic.read(0, 0) == 0);

  PicPair aeoi([] {});
  initLikeLinux(aeoi, 0, 0, true);
  pulse(aeoi, 5);
  CHECK(aeoi.acknowledge() == 0x35);
  aeoi.write(0, 0, 0x0b);
  CHECK(aeoi.read(0, 0) == 0);  // auto EOI: nothing in service
  pulse(aeoi, 6);
  CHECK(aeoi.interruptRequested());

  PicPair poll([] {});
  initLikeLinux(poll);
  pulse(poll, 6);
  poll.write(0, 0, 0x0c);  // OCW3 poll
  CHECK(poll.read(0, 0) == 0x86);
  poll.write(0, 0, 0x0c);
  CHECK(poll.read(0, 0) == 0x00);  // IRQ 6 in service, nothing else

  PicPair rot([] {});
  initLikeLinux(rot);
  rot.write(0, 0, 0xc3);  // set priority: IR3 lowest, IR4 highest
  pulse(rot, 1);
  pulse(rot, 5);
  CHECK(rot.acknowledge() == 0x35);
}

TEST_CASE("PIC: hostile writes leave it consistent") {
  PicPair pic([] {});
  for (unsigned i = 0; i < 5000; ++i) {
    pic.write(i & 1, (i >> 1) & 1, uint8_t(i * 37 + (i >> 3)));
    pic.setIrq(i % 20, i & 4);
    if (pic.interruptRequested()) {
      int v = pic.acknowledge();
      CHECK((v >= 0 && v < 256));
    }
    (void)pic.read((i >> 2) & 1, i & 1);
  }
}

TEST_CASE("PIT: count ns, counter read back and latch with a fake clock") {
  CHECK(vmx::Pit::countNs(1193) == 999847);
  CHECK(vmx::Pit::countNs(0) == vmx::Pit::countNs(65536));
  std::atomic<int64_t> now{1000000000};
  vmx::Pit pit([](unsigned, bool) {}, [&] { return now.load(); });
  pit.write(3, 0x34);  // channel 0, lo/hi, mode 2
  pit.write(0, 0x00);
  pit.write(0, 0x10);  // 4096
  now += 1000000;      // 1 ms = 1193 ticks
  pit.write(3, 0x00);  // latch channel 0
  now += 5000000;      // the latch holds
  uint16_t v = pit.read(0);
  v |= uint16_t(pit.read(0) << 8);
  CHECK(v == 4096 - 1193);
  // Channel 2 in mode 0: OUT (port 0x61 bit 5) rises at terminal count.
  pit.writePortB(0x01);  // gate 2 on
  pit.write(3, 0xb0);    // channel 2, lo/hi, mode 0
  pit.write(2, 0xff);
  pit.write(2, 0x00);    // 255 ticks = 213.7 µs
  CHECK((pit.readPortB() & 0x20) == 0);
  now += 200000;
  CHECK((pit.readPortB() & 0x20) == 0);
  now += 20000;
  CHECK((pit.readPortB() & 0x20) != 0);
  // Read-back of channel 2's status: OUT high, lo/hi, mode 0.
  pit.write(3, 0xe8);
  CHECK(pit.read(2) == 0xb0);
}

TEST_CASE("PIT: channel 0 at the programmed rate, one-shot once") {
  std::atomic<int> rises{0};
  vmx::Pit pit([&](unsigned line, bool level) {
    if (line == 0 && level) ++rises;
  });
  pit.write(3, 0x34);  // mode 2
  pit.write(0, 1193 & 0xff);
  pit.write(0, 1193 >> 8);  // 1 kHz
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pit.write(3, 0x30);  // mode 0, no count yet: stopped
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - t0).count();
  int n = rises.load();
  INFO(n << " interrupts in " << ms << " ms");
  CHECK(n <= int(ms) + 2);
  CHECK(n >= int(ms * 0.6));  // a loaded host may be late; never fast
  rises = 0;
  pit.write(0, 0xa9);
  pit.write(0, 0x04);  // 1193: one interrupt after 1 ms, then none
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(rises.load() == 1);
  // A tiny periodic count is bounded by kMinPeriodNs.
  rises = 0;
  pit.write(3, 0x34);
  pit.write(0, 2);
  pit.write(0, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  pit.write(3, 0x30);
  CHECK(rises.load() <= 100 * 1000000 / vmx::Pit::kMinPeriodNs + 2);
}

TEST_CASE("16550: registers, divisor latch, scratch, loopback as Linux probes") {
  std::vector<std::pair<unsigned, bool>> irqs;
  vmx::Uart16550 u(nullptr, [&](unsigned l, bool v) { irqs.push_back({l, v}); });
  u.write(7, 0x5a);
  CHECK(u.read(7) == 0x5a);
  u.write(1, 0x0f);
  CHECK(u.read(1) == 0x0f);
  u.write(1, 0xff);
  CHECK(u.read(1) == 0x0f);  // IER's upper bits read 0
  u.write(1, 0);
  u.write(3, 0x83);  // DLAB
  u.write(0, 0x01);
  u.write(1, 0x00);
  CHECK(u.read(0) == 0x01);
  u.write(3, 0x03);  // 8N1
  CHECK(u.read(3) == 0x03);
  CHECK(u.read(5) == 0x60);  // THR and transmitter empty
  // Loopback: MSR mirrors MCR (0x1a -> CTS, DCD), THR comes back in RBR.
  u.write(4, 0x1a);
  CHECK((u.read(6) & 0xf0) == 0x90);
  u.write(0, 'x');
  CHECK((u.read(5) & 0x01) == 1);
  CHECK(u.read(0) == 'x');
  CHECK((u.read(5) & 0x01) == 0);
  u.write(4, 0x00);
  // FCR enables the FIFOs: IIR's top bits say 16550A.
  u.write(2, 0x01);
  CHECK((u.read(2) & 0xc0) == 0xc0);
  CHECK(irqs.empty());  // OUT2 was never set
}

TEST_CASE("16550: THR-empty interrupts on IRQ 4, gated by OUT2") {
  std::vector<std::pair<unsigned, bool>> irqs;
  vmx::Uart16550 u(nullptr, [&](unsigned l, bool v) { irqs.push_back({l, v}); });
  u.write(4, 0x0b);  // DTR, RTS, OUT2
  u.write(1, 0x02);  // enable THR empty
  REQUIRE(irqs.size() == 1);
  CHECK((irqs[0] == std::pair<unsigned, bool>{4, true}));
  CHECK((u.read(2) & 0x0f) == 0x02);  // THRE, and reading IIR clears it
  CHECK((u.read(2) & 0x0f) == 0x01);
  CHECK(irqs.back().second == false);
  std::string sent;
  u.write(0, 'h', &sent);
  u.write(0, 'i', &sent);
  CHECK(sent == "hi");
  CHECK(irqs.back().second == true);  // THR empty again
  u.write(1, 0x00);
  CHECK(irqs.back().second == false);
}

TEST_CASE("16550: COM2 raises its interrupts on IRQ 3") {
  std::vector<std::pair<unsigned, bool>> irqs;
  vmx::Uart16550 u(nullptr, [&](unsigned l, bool v) { irqs.push_back({l, v}); },
                   vmx::Uart16550::kCom2Irq);
  u.write(4, 0x08);  // OUT2
  u.write(1, 0x02);  // enable THR empty
  REQUIRE(irqs.size() == 1);
  CHECK((irqs[0] == std::pair<unsigned, bool>{3, true}));
}

TEST_CASE("CMOS: time in BCD, status registers, RAM") {
  vmx::CmosRtc rtc;
  rtc.write(0, 0x0a);
  CHECK((rtc.read(1) & 0x80) == 0);  // no update in progress
  rtc.write(0, 0x0d);
  CHECK(rtc.read(1) == 0x80);
  rtc.write(0, 0x00);
  uint8_t sec = rtc.read(1);
  CHECK((sec & 0x0f) <= 9);
  CHECK((sec >> 4) <= 5);
  rtc.write(0, 0x08);
  uint8_t mon = rtc.read(1);
  CHECK(((mon >> 4) * 10 + (mon & 0x0f) >= 1 && (mon >> 4) * 10 + (mon & 0x0f) <= 12));
  rtc.write(0, 0x0b);
  rtc.write(1, 0x06);  // binary, 24 h
  rtc.write(0, 0x04);
  CHECK(rtc.read(1) < 24);
  rtc.write(0, 0x8e | 0x40);  // index with the NMI bit: 0x4e
  rtc.write(1, 0x77);
  rtc.write(0, 0x4e);
  CHECK(rtc.read(1) == 0x77);
}
