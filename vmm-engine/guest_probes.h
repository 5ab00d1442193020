// The probes of a VP script that live in the guest itself:
//
//   GUEST:addr          a planted int3 at the instruction at linear `addr`
//   GUEST_READ:addr     the page holding `addr` unbacked: every access to
//   GUEST_WRITE:addr    it exits as MMIO (read probes), or read-only: every
//                       write exits (write probes); the monitor performs
//                       the access and fires the probes when it touched
//                       the byte at `addr`
//   Guest_<exception>   a planted int3 at the guest's IDT handler for the
//                       vector (table 3-3: Guest_DE ... Guest_XF)
//   Guest_CR3Write      a planted int3 at each `mov cr3, r64` found in the
//                       guest image's code when the script loads
//                       (cr3_sites.h); ARG0 is the value being written
//   GUEST:EXIT:addr     the function entered at `addr` returns: at each
//                       entry the monitor reads the return address at
//                       [RSP], plants a stop there (once per address, kept
//                       until unload) and remembers the call by its stack
//                       slot (return_pairing.h); the probe fires when a
//                       vCPU reaches that address with the slot just
//                       popped. ARG0 the return value (RAX), ARG1 the
//                       nanoseconds since the entry, ARG2 the entry's RSP
//
// How a hit is seen. A planted byte stops the vCPU (the mechanism is
// chosen per host by a self-test, breakpoint_mechanism.h): an int3 with
// KVM_EXIT_DEBUG on hosts with KVM_GUESTDBG_USE_SW_BP; an int3 with the
// emulation failure on hosts that emulate guest kernel code
// (shared/HOST-KVM.md); a hlt in kernel code with KVM_EXIT_HLT where no
// int3 leaves the guest (nested SVM under QEMU). On the last two a
// user-mode (CPL3) int3 never exits: the guest's own #BP handler receives
// it. So for user-mode probes the monitor also traps that handler (with
// the kernel-code stop), recognizes from the exception frame an int3 of
// its own (frame RIP - 1 planted), and finishes the return to user mode
// itself (registers as iretq would set them): the guest never sees the
// #BP.
//
// The displaced instruction runs exactly once, emulated in user space
// (insn_emulator.h): one exit per hit. An instruction the emulator cannot
// run is refused when the script loads. A fault the emulated instruction
// raises is delivered to the guest as the CPU would, and the retry after
// the guest handled it does not fire the probe a second time.
//
// Registers the probes see: GUEST: probes, the vCPU's own at the
// instruction (for user-mode probes: the user registers). Guest_* probes,
// the interrupted context ("before delivery", as in VMware): RIP, RSP,
// RFLAGS, CS and SS from the exception frame, the rest as they are at the
// handler's entry (unchanged by delivery); CR2 is the faulting address for
// Guest_PF; ARG0 the error code for the exceptions that have one. Data
// probes: at a read the RIP of the reading instruction, at a write the RIP
// after the writing instruction (as a hardware data breakpoint).
//
// Addresses are linear, translated when the script loads with the page
// tables a vCPU is using then (user-mode addresses: whichever vCPU runs a
// process that maps them); the int3 or the watch lives in that physical
// page, whoever maps it.
//
// Following the guest's IDT: handlers are resolved when the probes are
// armed and again at each refresh() (the VM process calls it from its
// probe timer, every 200 ms), so a guest that loads or changes its IDT
// later is followed within that delay.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "vmm-engine/insn_emulator.h"
#include "vmm-engine/memory_layout.h"
#include "vmm-engine/return_pairing.h"
#include "vmm-engine/traps.h"
#include "vp/vp.h"

namespace vmm {

class Vm;
class Vcpu;
struct UserReturn;

// What a script asks of the guest, checked against it at load time.
struct GuestProbePlan {
  struct Code {  // GUEST:linear
    uint64_t linear = 0, gpa = 0;
    bool user = false;  // a user-mode page: needs the #BP handler trap
    ProbeInsn insn;
    std::vector<uint32_t> probes;  // indices into script.probes()
    std::vector<uint32_t> cr3Probes;  // Guest_CR3Write: insn is a mov cr3
    std::vector<uint32_t> exitProbes;  // GUEST:EXIT: of the function entered here
  };
  struct Watch {  // GUEST_READ: / GUEST_WRITE:
    uint64_t linear = 0, gpa = 0;
    bool write = false;
    std::vector<uint32_t> probes;
  };
  std::vector<Code> code;
  std::vector<Watch> watches;
  std::array<std::vector<uint32_t>, 32> exceptions;  // Guest_<vector>

  bool empty() const;
  bool needsUserTrap() const;
};

// Resolves and checks the script's guest probes against the running
// guest. Each probe that cannot be honoured adds an error diagnostic that
// names it, the address and why (not mapped, the instruction and why it
// cannot be emulated, ...). Guest_CR3Write adds a warning instead when it
// finds no `mov cr3` to trap (it would never fire), or skips one it cannot
// trap. `symbols` (may be null): the guest's symbols, where
// Guest_CR3Write looks for a kernel's text when the VM has no guest image
// (symbol_code_map.h). Not from a vCPU thread; the vCPUs keep running.
GuestProbePlan planGuestProbes(Vm& vm, const vp::Script& script,
                               const std::string& file,
                               std::vector<vp::Diagnostic>& diags,
                               const vp::GuestSymbols* symbols = nullptr);

class GuestProbes : public TrapHandler {
 public:
  // Runs probe `probe` on `vcpu`'s thread, with `view` (or the vCPU's own
  // registers when null).
  using Fire = std::function<void(Vcpu& vcpu, uint32_t probe,
                                  std::span<const uint64_t> args,
                                  const RegisterView* view)>;
  // A problem found while running (a handler that cannot be trapped, an
  // instruction the guest rewrote): one line for vprobe.err. Any thread.
  using Report = std::function<void(const std::string& line)>;

  GuestProbes(Vm& vm, GuestProbePlan plan, Fire fire, Report report);
  ~GuestProbes() override;  // disarms
  GuestProbes(const GuestProbes&) = delete;
  GuestProbes& operator=(const GuestProbes&) = delete;

  // Plants, protects pages and installs the trap handler (stopping the
  // vCPUs briefly); disarm() undoes all of it, byte for byte. Not from a
  // vCPU thread. Also valid after the VM stopped.
  void arm();
  void disarm();
  // Re-reads the IDT of every vCPU and moves the exception traps if the
  // guest changed it. Not from a vCPU thread.
  void refresh();

  bool onBreakpoint(Vcpu& vcpu) override;
  bool plantedHaltBefore(Vcpu& vcpu) override;
  bool onRamAccess(Vcpu& vcpu, uint64_t gpa, uint8_t* data, unsigned len,
                   bool write) override;

  // Hits handled (probe or not), for tests and benchmarks.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  // Return probes: calls entered and not yet returned, and return
  // addresses planted (for tests).
  size_t pendingCalls() const { return returns_.pending(); }
  size_t returnSites() const;

  // --- Internal types (used by the private implementation files) ---------
  struct Site;
  struct Handler {  // an exception handler trapped at gpa
    uint64_t linear = 0;
    uint32_t vectors = 0;  // bit per vector
    uint32_t userTraps = 0;  // bit per vector: user-mode int3s arrive here
    bool operator==(const Handler&) const = default;
  };
  using Handlers = std::map<uint64_t, Handler>;  // by gpa
  struct Hit;
  using SiteMap = std::unordered_map<uint64_t, std::unique_ptr<Site>>;

 private:
  Handlers readHandlers();
  SiteMap rebuild(const Handlers& handlers);  // returns the old sites
  void finishUserTrap(Vcpu& v, const SiteMap& before);
  void retireUserCode();
  bool atUserSite(Vcpu& v);
  void plantSite(Site& s);
  // Return probes (return_probes.cpp).
  Site* siteAt(uint64_t gpa);
  void noteEntry(Hit& h, const Site& s, uint64_t linear, const Gprs& regs);
  Site* returnSite(Hit& h, uint64_t returnTo, const std::string& probes);
  void fireReturns(Hit& h, uint64_t linear, const Gprs& regs, const RegisterView* view);
  void sweepStale(Vcpu& v, uint64_t space, uint64_t rsp);
  void retireReturnSites(bool userOnly, SiteMap* into);
  void reportOnce(const std::string& line);
  bool kernelHit(Hit& h);
  bool userTrapHit(Hit& h);
  void fireCode(Hit& h, const Site& s, uint64_t linear, const RegisterView* view);
  void fireException(Hit& h, unsigned vector);
  void loadCr3(Vcpu& v, const EmuCpu& cpu);
  void abandonCr3(Vcpu& v, const std::string& why);
  void dropShadows();
  bool current(Site& s);
  void abandon(Site& s, const std::string& why);
  bool isRetry(Hit& h, const Gprs& regs);
  void markHandBack(Vcpu& v, uint64_t gpa, const UserReturn& u);
  bool isHandBack(Vcpu& v, uint64_t gpa, const UserReturn& u);
  void fireWatches(Vcpu& v, uint64_t gpa, unsigned len, bool write);
  void cancelRewritten(uint64_t gpa, size_t len);

  friend class GuestAccess;
  bool readPhys(Vcpu& v, uint64_t gpa, void* out, size_t len);
  bool writePhys(Vcpu& v, uint64_t gpa, const void* in, size_t len);

  Vm& vm_;
  GuestProbePlan plan_;
  Fire fire_;
  Report report_;
  bool armed_ = false;
  // Rebuilt only inside Vm::stopWorld, read by vCPU threads without locks.
  SiteMap sites_;
  Handlers handlers_;
  std::vector<uint64_t> planted_;  // one entry per Breakpoints::plant()
  std::vector<std::pair<uint64_t, MemoryLayout::PageMode>> pages_;
  struct Retry {  // per vCPU: the last hit whose instruction faulted
    uint64_t gpa = 0, rsp = 0, cr3 = 0;
    bool valid = false;
  };
  std::vector<Retry> retry_;  // each entry used by its vCPU's thread only
  std::vector<Retry> handBack_;  // per vCPU: see isHandBack()
  std::mutex reportMu_;
  std::set<std::string> reported_;
  // Addresses of abandoned sites (under reportMu_): rebuild() does not
  // plant the script's code probes there again, over what the guest has
  // there now.
  std::set<uint64_t> abandoned_;
  std::atomic<uint64_t> hits_{0};
  // Return addresses planted at entries of GUEST:EXIT: functions, added by
  // vCPU threads while the others run (so under retMu_, unlike sites_),
  // kept until unload: a vCPU may be on its way to one at any time.
  mutable std::mutex retMu_;
  SiteMap retSites_;
  std::vector<uint64_t> retPlanted_;  // one entry per plant() of a return site
  ReturnPairing returns_{kMaxPendingCalls};
  static constexpr size_t kMaxPendingCalls = 1 << 16;
};

}  // namespace vmm
