// How a periodic VMM probe (VMM1Hz, VMM10Hz, USEC:n) gets its fires onto a
// vCPU without adding exits the guest would pay for.
//
// A fire needs the vCPU out of KVM_RUN. Kicking it out costs one exit
// round trip (tens of microseconds on hosts that emulate guest kernel code,
// HOST-KVM.md), which at 1 kHz is most of a profile's cost. But a running
// guest is kicked anyway, by its own timer interrupts: so a fire that
// comes due waits for the vCPU's next asynchronous exit (a kick for any
// reason, or a wake-up from HLT) and rides on it. Only a fire that has
// waited `grace` without one gets a kick of its own. Synchronous exits (an
// `out`, a page fault) are not used: a sample taken there would always
// show the instruction that exited, not where the guest spends its time.
//
// Each (vCPU, probe) keeps a count of fires owed. A period adds one; at
// most kMaxOwed are owed at a time (the rest are skipped, so a stalled
// vCPU never builds a backlog); each fire that runs takes one. While any
// is owed exactly one fire item is queued for the vCPU, so two fires
// never run at the same exit with the same registers.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace vmm::periodic {

constexpr uint8_t kMaxOwed = 2;

// When the caller's timer looks for overdue fires of a probe: at `check`
// after each period's start; a fire is overdue when `overdueAt` are owed
// then. Together: a fire waits at most 1.5 periods, and never more than
// 15 ms, for an exit it can ride on.
struct Plan {
  std::chrono::microseconds check;
  uint8_t overdueAt;
};
Plan planFor(std::chrono::microseconds period);

enum class Tick {
  Queue,  // none was owed: queue a fire item for the vCPU's next exit
  Wait,   // the queued item will take this one too
  Skip,   // kMaxOwed already owed: this fire is dropped
};
// A period began.
Tick tick(std::atomic<uint8_t>& owed);
// The check time of the plan: true when the vCPU must be kicked now.
bool overdue(const std::atomic<uint8_t>& owed, const Plan& plan);
// A fire ran: true when another one is owed (queue the item again; it
// will ride on a later exit than this one).
bool fired(std::atomic<uint8_t>& owed);

}  // namespace vmm::periodic
