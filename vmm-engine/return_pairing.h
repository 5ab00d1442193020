// Pairs the returns of probed functions with their entries, for the return
// probes GUEST:EXIT: (guest_probes.h, docs/probes.md "Return probes").
//
// At a probed function's entry the return address sits at [RSP] (System V
// x86-64: `call` pushed it). The monitor remembers the call by that slot
// and plants a stop at the return address; the function has returned when
// a vCPU reaches the return address with RSP one slot above it (`ret`
// popped it). The slot tells the calls apart: recursive calls each have
// their own, two threads have different stacks, and a thread that moves
// to another vCPU (a context switch) keeps its stack, so the table is one
// for the whole VM, not per vCPU. User-mode stacks are told apart by
// address space (two processes may use the same stack addresses); kernel
// stacks are in every address space at one place.
//
// A frame left without a return (longjmp, an exception unwinding past it,
// a thread that never runs again) leaves its call behind. sweep() drops
// the calls below a vCPU's stack pointer whose slot no longer holds their
// return address (the frame was popped and reused); the table is bounded,
// and a full table forgets its oldest call.
//
// Threads: any (vCPU threads at the stops), under an internal lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace vmm {

class ReturnPairing {
 public:
  struct Call {
    uint64_t space = 0;     // 0: a kernel stack; else the user page-table root
    uint64_t slot = 0;      // RSP at the entry: where the return address is
    uint64_t returnTo = 0;  // the return address read there
    uint32_t probe = 0;     // the GUEST:EXIT: probe to fire
    uint64_t enteredNs = 0;
  };

  explicit ReturnPairing(size_t capacity) : capacity_(capacity) {}

  // A call entered. A pending call of the same probe at the same slot is
  // replaced: that frame is gone (left without a return, or the function
  // jumped back to its own entry). When full, the oldest call goes.
  void enter(const Call& c);
  // A vCPU of `space` reached `at` with RSP `rsp`: removes and returns the
  // calls that return there now (slot rsp - 8, return address `at`).
  std::vector<Call> leave(uint64_t space, uint64_t at, uint64_t rsp);
  // Drops at most `limit` calls of `space` in slots below `rsp`, within
  // `window` bytes of it (deeper in the stack the vCPU is on), for which
  // `gone` says the slot no longer holds the return address. Returns how
  // many it dropped.
  size_t sweep(uint64_t space, uint64_t rsp, uint64_t window, size_t limit,
               const std::function<bool(const Call&)>& gone);
  void clear();

  bool empty() const { return count_.load(std::memory_order_relaxed) == 0; }
  size_t pending() const { return count_.load(std::memory_order_relaxed); }
  // Calls forgotten because the table was full, and dropped by sweep().
  uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed); }
  uint64_t swept() const { return swept_.load(std::memory_order_relaxed); }

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // space, slot
  struct Pending {
    Call call;
    uint64_t seq;  // entry order, for forgetting the oldest
  };
  void eraseLocked(std::map<Key, std::vector<Pending>>::iterator it, size_t i);
  void evictOldestLocked();

  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<Key, std::vector<Pending>> calls_;
  std::map<uint64_t, Key> order_;  // seq -> where that call is
  uint64_t nextSeq_ = 0;
  std::atomic<size_t> count_{0};
  std::atomic<uint64_t> evicted_{0}, swept_{0};
};

}  // namespace vmm
