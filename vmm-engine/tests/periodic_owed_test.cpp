// The policy that lets periodic probes ride on the exits a guest already
// takes: simulated against guests whose own timer kicks their vCPU at
// various rates, counting the exits the probe adds and how late it fires.
#include <catch2/catch.hpp>
#include <deque>
#include <map>

#include "vmm-engine/periodic_owed.h"

using namespace vmm::periodic;
using std::chrono::microseconds;

namespace {

struct Outcome {
  uint64_t fires = 0, kicks = 0, skips = 0;
  int64_t maxLateUs = 0;  // from the period's start to its fire
  uint8_t maxOwed = 0;
};

// One vCPU, one probe of period `p` us, for `total` us. `exits` are the
// times of the vCPU's own asynchronous exits (its guest's timer). During
// [stallFrom, stallTo) the vCPU takes no exit at all (a host stall), so
// kicks wait until its end.
Outcome simulate(int64_t p, int64_t total, const std::vector<int64_t>& exits,
                 int64_t stallFrom = -1, int64_t stallTo = -1) {
  const Plan plan = planFor(microseconds(p));
  enum Ev { kExit, kTick, kCheck };
  std::multimap<int64_t, Ev> events;
  for (int64_t t : exits) events.emplace(t, kExit);
  for (int64_t t = p; t < total; t += p) {
    events.emplace(t, kTick);
    events.emplace(t + plan.check.count(), kCheck);
  }
  std::atomic<uint8_t> owed{0};
  bool queued = false;      // the fire item waits for an exit
  std::deque<int64_t> due;  // start of each period owed
  bool kickPending = false;
  Outcome o;
  auto exitAt = [&](int64_t t) {
    if (t >= stallFrom && t < stallTo) return;
    kickPending = false;
    if (!queued) return;
    queued = false;  // runs at this exit
    ++o.fires;
    o.maxLateUs = std::max(o.maxLateUs, t - due.front());
    due.pop_front();
    queued = fired(owed);  // again, for a later exit
  };
  auto kick = [&](int64_t t) {
    ++o.kicks;
    kickPending = true;
    exitAt(t);
  };
  for (auto [t, ev] : events) {
    if (kickPending && !(t >= stallFrom && t < stallTo)) exitAt(stallTo);
    if (ev == kExit) exitAt(t);
    if (ev == kTick) {
      switch (tick(owed)) {
        case Tick::Queue: queued = true; due.push_back(t); break;
        case Tick::Wait: due.push_back(t); break;
        case Tick::Skip: ++o.skips; kick(t); break;
      }
    }
    if (ev == kCheck && queued && overdue(owed, plan)) kick(t);
    o.maxOwed = std::max(o.maxOwed, owed.load());
  }
  return o;
}

// A guest timer of period `p` us starting at `phase`, each tick moved by a
// repeatable pseudo-random jitter within +-`jitter` us.
std::vector<int64_t> guestTimer(int64_t p, int64_t phase, int64_t jitter, int64_t total) {
  std::vector<int64_t> v;
  uint64_t s = 12345;
  for (int64_t t = phase; t < total; t += p) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    int64_t j = jitter ? int64_t(s >> 33) % (2 * jitter + 1) - jitter : 0;
    if (t + j >= 0) v.push_back(t + j);
  }
  return v;
}

}  // namespace

TEST_CASE("periodic: a fire waits at most 1.5 periods and never over 15 ms") {
  Plan kHz = planFor(microseconds(1000));
  CHECK(kHz.check == microseconds(500));
  CHECK(kHz.overdueAt == 2);
  Plan tenHz = planFor(microseconds(100000));
  CHECK(tenHz.check == microseconds(15000));
  CHECK(tenHz.overdueAt == 1);
  Plan hundredHz = planFor(microseconds(10000));
  CHECK(hundredHz.check == microseconds(5000));
  CHECK(hundredHz.overdueAt == 2);
}

TEST_CASE("periodic: a vCPU with no exits of its own gets one kick per fire") {
  Outcome o = simulate(1000, 1000000, {});
  CHECK(o.fires >= 997);
  CHECK(o.kicks == o.fires);
  CHECK(o.skips == 0);
  CHECK(o.maxLateUs <= 1500);
  CHECK(o.maxOwed <= kMaxOwed);
}

TEST_CASE("periodic: a guest timer at the probe's rate carries every fire, at any phase") {
  for (int64_t phase : {0, 1, 60, 500, 940, 999}) {
    CAPTURE(phase);
    Outcome o = simulate(1000, 1000000, guestTimer(1000, phase, 80, 1000000));
    CHECK(o.fires >= 997);
    CHECK(o.kicks == 0);
    CHECK(o.maxLateUs <= 1500);
  }
}

TEST_CASE("periodic: a slower guest timer saves the exits it provides") {
  Outcome o = simulate(1000, 1000000, guestTimer(10000, 3000, 200, 1000000));
  CHECK(o.fires >= 997);
  CHECK(o.kicks >= 880);  // the other ~100 rode on the guest's 100 Hz timer
  CHECK(o.kicks <= 910);
  CHECK(o.maxLateUs <= 1500);
}

TEST_CASE("periodic: slow probes fire within 15 ms even with no exits") {
  Outcome idle = simulate(1000000, 10000000, {});
  CHECK(idle.fires == 9);
  CHECK(idle.kicks == 9);
  CHECK(idle.maxLateUs <= 15000);
  Outcome busy = simulate(100000, 10000000, guestTimer(10000, 0, 2000, 10000000));
  CHECK(busy.fires >= 98);
  CHECK(busy.kicks == 0);
}

TEST_CASE("periodic: a stalled vCPU skips fires instead of building a backlog") {
  Outcome o = simulate(1000, 1000000, {}, 300000, 400000);
  CHECK(o.maxOwed == kMaxOwed);
  CHECK(o.skips >= 95);
  CHECK(o.fires + o.skips >= 996);
  CHECK(o.fires >= 890);  // the rate comes back after the stall
}
