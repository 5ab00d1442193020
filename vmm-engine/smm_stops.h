// The stops behind SMM_SMIPost, SMM_RSMPre and SMM_RSMPost (docs/probes.md,
// "SMM probes").
//
// An SMI is raised by the monitor (Vcpu::raiseSmi), so it knows when one
// is coming and where its handler starts: SMBASE + 0x8000, in the 16-bit
// real-mode-like state the CPU enters SMM in. Before the SMI is queued,
// onSmi() reads SMBASE, decodes the handler from its entry (16-bit code,
// straight through) up to its first `rsm`, and plants a hlt (0xf4) over
// the first byte of each. A hlt in SMM exits (the monitor has no in-kernel
// irqchip), on every host, nested ones included:
//   - the entry's hlt exit: the original byte goes back, RIP back onto it,
//     SMM_SMIPost fires there (the handler's first instruction, in SMM);
//   - the rsm's hlt exit: likewise, SMM_RSMPre fires at the rsm, and the
//     vCPU single-steps it (KVM emulates rsm, and honours the step);
//   - that step's KVM_EXIT_DEBUG: SMM_RSMPost fires at the instruction
//     the SMI interrupted, back out of SMM, before it runs.
// Each planted byte is put back when its stop is taken, so every SMI
// plants afresh and the handler's code is the guest's own while it runs.
//
// Limits (stated in docs/probes.md): the rsm must be reached by decoding
// straight on from the entry as 16-bit code (a handler that switches
// mode, or jumps over data, before its rsm gets SMM_SMIPost only); SMRAM
// must be RAM; an SMI on a vCPU whose SMBASE region another vCPU's SMI
// is using is not probed (the guest's SMIs would share one save area), nor
// is one raised by SMM code itself (KVM holds it until the rsm).
//
// Threads: every call on the vCPU's own thread, between two exits.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace vmm {

class Vcpu;
class Vm;

// Offset of the first `rsm` in `code`, decoded as 16-bit code from its
// first byte until an instruction does not decode or `len` runs out.
std::optional<size_t> findRsm(const uint8_t* code, size_t len);

class SmmStops {
 public:
  enum class Point : uint8_t { SmiPost, RsmPre, RsmPost };
  using Fire = std::function<void(Vcpu&, Point)>;

  SmmStops(Vm& vm, Fire fire);
  ~SmmStops();
  SmmStops(const SmmStops&) = delete;
  SmmStops& operator=(const SmmStops&) = delete;

  // An SMI is about to be queued on `v`: plants its stops.
  void onSmi(Vcpu& v);
  // A hlt or debug exit: whether it is one of `v`'s stops (RIP is then put
  // back on the instruction), then what it means.
  bool atStop(Vcpu& v);
  void onStop(Vcpu& v);
  // Puts back what `v` planted and plants no more. Before the hooks go.
  void disarm(Vcpu& v);

  // SMIs whose handler could not be probed (see the limits above).
  uint64_t unprobed() const { return unprobed_.load(std::memory_order_relaxed); }

 private:
  enum class State : uint8_t { Idle, AwaitEntry, InHandler, Stepping };
  struct Stop {
    uint64_t gpa = 0;
    uint8_t original = 0;
    bool planted = false;
  };
  struct PerVcpu {
    State state = State::Idle;
    Stop entry, rsm;
    bool disarmed = false;
  };

  bool plant(Stop& s, uint64_t gpa);
  void restore(Stop& s);
  void clear(Vcpu& v, PerVcpu& c);
  bool busyElsewhere(unsigned self, uint64_t lo, uint64_t hi);
  bool stoppedAt(Vcpu& v, const Stop& s);

  Vm& vm_;
  Fire fire_;
  std::vector<PerVcpu> cpus_;  // each touched by its own vCPU thread only
  std::mutex mu_;              // guards the other vCPUs' planted ranges
  std::atomic<uint64_t> unprobed_{0};
};

}  // namespace vmm
