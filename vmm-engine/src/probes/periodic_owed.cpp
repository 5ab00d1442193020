#include "vmm-engine/periodic_owed.h"

namespace vmm::periodic {

namespace {
// Waiting longer than this saves too few exits to be worth the delay: a
// 1 Hz probe would otherwise fire up to 1.5 s late on a guest with no
// timer of its own.
constexpr std::chrono::microseconds kLongestGrace{15000};
}  // namespace

Plan planFor(std::chrono::microseconds period) {
  if (period.count() <= 0) return {std::chrono::microseconds(0), 1};
  // One and a half periods: a guest whose timer ticks at the probe's
  // rate gives every period an exit, and its jitter around the period's
  // start does not make a fire look overdue.
  auto grace = std::min(period + period / 2, kLongestGrace);
  auto whole = grace / period;  // periods that pass within the grace
  return {grace - whole * period, uint8_t(1 + whole)};
}

Tick tick(std::atomic<uint8_t>& owed) {
  uint8_t n = owed.load();
  do {
    if (n >= kMaxOwed) return Tick::Skip;
  } while (!owed.compare_exchange_weak(n, uint8_t(n + 1)));
  return n == 0 ? Tick::Queue : Tick::Wait;
}

bool overdue(const std::atomic<uint8_t>& owed, const Plan& plan) {
  return owed.load() >= plan.overdueAt;
}

bool fired(std::atomic<uint8_t>& owed) {
  uint8_t n = owed.load();
  do {
    if (n == 0) return false;  // reset by an unload meanwhile
  } while (!owed.compare_exchange_weak(n, uint8_t(n - 1)));
  return n > 1;
}

}  // namespace vmm::periodic
