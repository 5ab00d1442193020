// ReturnPairing against a model: threads with their own stacks call,
// return and longjmp at random; each return must hand back exactly the
// call the model's stack pops, and calls left by longjmp must go once
// their slots are reused.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <vector>

#include "vmm-engine/return_pairing.h"

namespace {

using Call = vmm::ReturnPairing::Call;

struct Frame {
  uint64_t slot, returnTo;
  uint32_t probe;
};

struct Thread {
  uint64_t space, top;
  std::vector<Frame> frames;
  uint64_t rsp() const { return frames.empty() ? top : frames.back().slot; }
};

// Guest stack memory, as gone() reads it.
struct Memory {
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> words;
  bool holds(const Call& c) const {
    auto it = words.find({c.space, c.slot});
    return it != words.end() && it->second == c.returnTo;
  }
};

constexpr uint64_t kWindow = 64 * 1024;

struct World {
  vmm::ReturnPairing pairing{1 << 16};
  Memory mem;
  std::vector<Thread> threads;
  std::mt19937 rng{12345};
  uint64_t now = 0;

  World() {
    // Kernel stacks 16 KiB apart (inside each other's sweep window), and
    // user threads of two processes at the same addresses.
    for (uint64_t i = 0; i < 4; ++i) threads.push_back({0, 0xffffc90000010000 + i * 0x4000, {}});
    for (uint64_t cr3 : {0x1000ull, 0x2000ull})
      for (uint64_t i = 0; i < 2; ++i) threads.push_back({cr3, 0x7ff000000000 + i * 0x4000, {}});
  }
  auto gone() {
    return [this](const Call& c) { return !mem.holds(c); };
  }

  void call(Thread& t) {
    uint32_t probe = rng() % 3;
    // Each function is called from its own sites, so a frame's return
    // address names its function.
    Frame f{t.rsp() - 8 - 8 * (rng() % 4), 0x400000 + probe * 0x100 + rng() % 4, probe};
    mem.words[{t.space, f.slot}] = f.returnTo;
    t.frames.push_back(f);
    pairing.enter({t.space, f.slot, f.returnTo, probe, ++now});
    pairing.sweep(t.space, f.slot, kWindow, 16, gone());
  }

  void ret(Thread& t) {
    Frame f = t.frames.back();
    t.frames.pop_back();
    std::vector<Call> got = pairing.leave(t.space, f.returnTo, f.slot + 8);
    REQUIRE(got.size() == 1);
    CHECK(got[0].probe == f.probe);
    CHECK(got[0].slot == f.slot);
    pairing.sweep(t.space, f.slot + 8, kWindow, 16, gone());
  }

  // Unwinds frames without returns; their slots keep their words until
  // a later call overwrites them.
  void longjmp(Thread& t) {
    size_t n = 1 + rng() % t.frames.size();
    t.frames.resize(t.frames.size() - n);
  }

  size_t live() const {
    size_t n = 0;
    for (const auto& t : threads) n += t.frames.size();
    return n;
  }
};

}  // namespace

TEST_CASE("return pairing: each return gets its own call, across threads and recursion",
          "[return-pairing]") {
  World w;
  for (int step = 0; step < 20000; ++step) {
    Thread& t = w.threads[w.rng() % w.threads.size()];
    unsigned r = w.rng() % 100;
    if (t.frames.empty() || (r < 50 && t.frames.size() < 64)) w.call(t);
    else if (r < 97) w.ret(t);
    else w.longjmp(t);
  }
  CHECK(w.pairing.pending() >= w.live());
  CHECK(w.pairing.evicted() == 0);
  // Every frame still open returns to its own call.
  for (auto& t : w.threads)
    while (!t.frames.empty()) w.ret(t);
  // What longjmp left is gone once its slots hold something else.
  for (auto& [where, word] : w.mem.words) word = 0;
  for (auto& t : w.threads) w.pairing.sweep(t.space, t.top, kWindow, 1 << 20, w.gone());
  CHECK(w.pairing.pending() == 0);
  CHECK(w.pairing.swept() > 0);
}

TEST_CASE("return pairing: a live call on a neighbouring stack is never swept",
          "[return-pairing]") {
  vmm::ReturnPairing p(16);
  Memory mem;
  Call other{0, 0x9000 - 8, 0x401000, 1, 1};
  mem.words[{0, other.slot}] = other.returnTo;
  p.enter(other);
  // A thread on the stack below returns with RSP far above `other`'s slot.
  CHECK(p.sweep(0, 0xa000, 0x10000, 16, [&](const Call& c) { return !mem.holds(c); }) == 0);
  CHECK(p.pending() == 1);
  mem.words[{0, other.slot}] = 0;  // that frame is gone
  CHECK(p.sweep(0, 0xa000, 0x10000, 16, [&](const Call& c) { return !mem.holds(c); }) == 1);
  CHECK(p.pending() == 0);
}

TEST_CASE("return pairing: only the right address, slot and space return", "[return-pairing]") {
  vmm::ReturnPairing p(16);
  p.enter({0x1000, 0x7000, 0x401000, 1, 5});
  CHECK(p.leave(0x2000, 0x401000, 0x7008).empty());  // another process
  CHECK(p.leave(0x1000, 0x401001, 0x7008).empty());  // another address
  CHECK(p.leave(0x1000, 0x401000, 0x7010).empty());  // another frame
  auto got = p.leave(0x1000, 0x401000, 0x7008);
  REQUIRE(got.size() == 1);
  CHECK(got[0].enteredNs == 5);
  CHECK(p.leave(0x1000, 0x401000, 0x7008).empty());  // once
}

TEST_CASE("return pairing: a tail call's two probes both return; a reused slot replaces",
          "[return-pairing]") {
  vmm::ReturnPairing p(16);
  p.enter({0, 0x7000, 0x401000, 1, 1});
  p.enter({0, 0x7000, 0x401000, 2, 2});  // f jumped to g: same frame
  p.enter({0, 0x7000, 0x401000, 2, 3});  // g again at that slot: replaced
  CHECK(p.pending() == 2);
  auto got = p.leave(0, 0x401000, 0x7008);
  REQUIRE(got.size() == 2);
  CHECK(got[0].probe == 1);
  CHECK(got[1].enteredNs == 3);
}

TEST_CASE("return pairing: a full table forgets its oldest call", "[return-pairing]") {
  vmm::ReturnPairing p(3);
  for (uint64_t i = 0; i < 5; ++i) p.enter({0, 0x7000 - 16 * i, 0x401000, 0, i});
  CHECK(p.pending() == 3);
  CHECK(p.evicted() == 2);
  CHECK(p.leave(0, 0x401000, 0x7008).empty());  // the first, forgotten
  CHECK(p.leave(0, 0x401000, 0x7000 - 32 + 8).size() == 1);
  p.clear();
  CHECK(p.empty());
}
