// One virtual CPU: its thread runs the KVM_RUN loop (src/vcpu_loop.cpp),
// which dispatches on the exit reason only.
//
// Threads. The loop runs on the vCPU thread. Other threads talk to a vCPU
// through post()/call() (work run on the vCPU thread between two exits, a
// halted vCPU is woken for it) and raiseInterrupt(). Register and exit
// accessors are for the vCPU thread: a hook, a device handler, or a work
// item; after the VM has stopped, any one thread may use them.
//
// Kicks. Getting a vCPU out of KVM_RUN uses `kvm_run->immediate_exit` plus a
// signal (kKickSignal, a no-op handler installed once per process) to its
// thread: KVM_RUN then returns EINTR, which the loop counts as a Kick exit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>

#include "vmm-engine/exit_fields.h"
#include "vmm-engine/kvm_stats.h"
#include "vmm-engine/metrics.h"
#include "vmm-engine/registers.h"

struct kvm_run;

namespace vmm {

class Vm;
class VmmHooks;
class InterruptSource;

// Signal used to kick vCPU threads out of KVM_RUN.
int kickSignal();

class Vcpu {
 public:
  Vcpu(Vm& vm, unsigned index, int fd, kvm_run* run, size_t runSize);
  ~Vcpu();
  Vcpu(const Vcpu&) = delete;
  Vcpu& operator=(const Vcpu&) = delete;

  unsigned index() const { return index_; }
  Vm& vm() const { return vm_; }
  bool onThisThread() const;

  // --- Work on the vCPU thread (any thread may call) ---------------------
  // Queues `fn` to run on the vCPU thread at the next safe point (between
  // two exits, or while halted). Work queued when the vCPU thread has
  // finished runs on the caller's thread at once.
  void post(std::function<void()> fn);
  // Like post(), and waits until `fn` has run. On the vCPU thread itself it
  // runs `fn` inline. Do not call() another vCPU from a vCPU thread (two
  // vCPUs calling each other would wait forever); post() instead.
  void call(const std::function<void()>& fn);
  // Queues `fn` for the vCPU thread without making it exit: it runs at the
  // vCPU's next asynchronous exit (a kick, whoever asked for it, or a
  // wake-up from HLT), or when hurry() or post() is called, whichever
  // comes first; always before the item of a later post(). For work that
  // can wait for an exit the guest takes anyway (periodic probes, see
  // periodic_owed.h). A synchronous exit (I/O, MMIO, a fault)
  // does not run it, so its registers are never those of an exiting
  // instruction chosen by the guest.
  void postAtNextKick(std::function<void()> fn);
  // Runs what postAtNextKick() queued now: kicks (or wakes) the vCPU when
  // anything is queued.
  void hurry();

  // --- Interrupts (any thread) ---------------------------------------------
  // Marks `vector` pending; it is delivered (KVM_INTERRUPT) as soon as the
  // guest can take it. A vector already pending merges with it.
  void raiseInterrupt(uint8_t vector);
  // The interrupt source (Vm::setInterruptSource) raised its INTR line:
  // wakes the vCPU to look at it.
  void interruptLineRaised();

  // --- Registers of the current exit (vCPU thread) -------------------------
  // Each group is fetched once per exit with one ioctl and cached until the
  // next entry. Null when the ioctl fails.
  const Gprs* gprs();
  const SpecialRegs* sregs();
  const DebugRegs* debugRegs();
  const uint64_t* kernelGsBase();  // MSR 0xC0000102
  const bool* inSmm();             // KVM_GET_VCPU_EVENTS smi.smm
  // Setters update the cache and reach KVM before the next entry: through
  // the kvm_run sync area when the group is synced (setSyncRegs; no ioctl,
  // KVM applies it at the next KVM_RUN), else with the ioctl at once.
  // After an `in` exit KVM completes the instruction (writes RAX) at the
  // next entry, after applying them.
  bool setGprs(const Gprs& r);
  bool setSregs(const SpecialRegs& s);
  bool setDebugRegs(const DebugRegs& d);
  bool setKernelGsBase(uint64_t v);
  // Flushes the guest's TLB entries on this vCPU (what a guest CR3 reload
  // does). KVM has no call for that alone, but resets its MMU, flushing,
  // when KVM_SET_SREGS changes CR3: this sets a different CR3 and then
  // the current one back, by ioctl (two of them). vCPU thread.
  bool flushTlb();
  // Asks KVM to store the general and segment registers in the shared
  // kvm_run page at every exit (KVM_CAP_SYNC_REGS), so reading them costs
  // no ioctl: worth it while probes read registers (an ioctl costs
  // microseconds on some hosts), not otherwise. vCPU thread, or before
  // start(). A host without the capability keeps using the ioctls.
  void setSyncRegs(bool gprs, bool sregs);
  // Makes the guest take `e` at the next entry (CR2 first, for a #PF), as
  // if the instruction at RIP had raised it. vCPU thread.
  bool injectException(const GuestException& e);
  // Reports machine-check error `mc` to the guest (KVM_X86_SET_MCE, after
  // a KVM_X86_SETUP_MCE that keeps the MCG_CAP the guest saw): an
  // uncorrected error (MCi_STATUS.UC) raises #MC (vector 18) at the next
  // entry, a corrected one is only logged in the bank. Refuses (false,
  // `why`) what KVM would turn into a VM shutdown instead: an uncorrected
  // error while the guest has CR4.MCE clear or a machine check in
  // progress (MCG_STATUS.MCIP); and a second one before the vCPU resumes.
  // vCPU thread.
  bool injectMachineCheck(const MachineCheck& mc, std::string& why);
  // Software breakpoints reported as KVM_EXIT_DEBUG (KVM_GUESTDBG_USE_SW_BP)
  // on hosts that support it; on the others the call is accepted and has
  // no effect (HOST-KVM.md). While it is on, every guest int3 exits: one
  // that is not the monitor's goes back to the guest (reinjectBreakpoint).
  // vCPU thread, or any thread while the vCPU is stopped (Vm::stopWorld).
  bool setSoftwareBreakpoints(bool on);
  bool reinjectBreakpoint();
  // Makes the next entry stop after one guest instruction with
  // KVM_EXIT_DEBUG (KVM_GUESTDBG_SINGLESTEP), until turned off. KVM honours
  // it for the instructions it emulates (rsm) on every host. vCPU thread.
  bool setSingleStep(bool on);

  // --- System Management Mode (vCPU thread; vm_smm.cpp) ---------------------
  // Queues an SMI (KVM_SMI), delivered at the next entry: the hooks'
  // onSmi() runs first (SMM_SMIPre). False when the VM has no SMM
  // (Vm::smmSupported) or KVM refused it.
  bool raiseSmi();
  // SMBASE (MSR 0x9e, as KVM keeps it): the handler is at SMBASE + 0x8000.
  bool smbase(uint64_t& out);

  // --- The current exit (vCPU thread) --------------------------------------
  // KVM_EXIT_* of the last KVM_RUN, or kExitKick.
  int kvmExitReason() const { return exitCtx_.kvmExitReason; }
  // The architectural view of it (VMCS_* / VMCB_*), computed on first use.
  const ExitFields& exitFields();

  // --- Guest memory through this vCPU's paging (vCPU thread) ---------------
  bool readLinear(uint64_t linear, void* out, size_t len);
  bool translate(uint64_t linear, uint64_t& gpa);

  // --- Metrics (any thread) --------------------------------------------------
  ExitCounts counts() const { return counters_.snapshot(); }
  // KVM's statistics of this vCPU (kvm_stats.h); empty until
  // openKernelStats() succeeded.
  std::map<std::string, uint64_t> kernelStats() const { return kernelStats_.read(); }
  bool openKernelStats(std::string& error) { return kernelStats_.open(fd_, error); }
  const KvmStatsLayout& kernelStatsLayout() const { return kernelStats_.layout(); }

 private:
  friend class Vm;
  // Attention bits: checked once per exit with a single relaxed load.
  static constexpr uint32_t kWork = 1, kStop = 2;

  void threadMain();
  void runLoop();
  bool serveAttention();  // false: stop
  void drainWork();
  void promoteLaterLocked();  // caller holds mu_
  void promoteLater();
  void prepareEntry();
  bool handleExit(int runResult, int err);
  bool handleIo();
  bool handleHlt();
  bool handleMmio();
  bool handleStopAtInt3(bool debugExit);
  bool atPlantedHalt();
  void injectPending();
  void raiseMachineCheck();  // vcpu_mce.cpp
  int takeHighestPending();
  bool anyPending() const;  // raised vectors or the source's INTR
  bool anyRaised() const;
  void kick();
  void wakeLocked();  // caller holds mu_
  void invalidateCache() { cached_ = 0; }
  void requestStop();
  bool fail(const char* what);
  void setHooks(VmmHooks* h) { hooks_ = h; }

  Vm& vm_;
  const unsigned index_;
  const int fd_;
  kvm_run* const run_;
  const size_t runSize_;

  std::thread thread_;
  pthread_t tid_{};
  std::atomic<bool> threadLive_{false};

  std::atomic<uint32_t> attention_{0};
  std::mutex mu_;  // guards work_, later_, halted_, finished_
  std::condition_variable cv_;
  std::deque<std::function<void()>> work_;
  std::deque<std::function<void()>> later_;  // postAtNextKick()
  std::atomic<bool> anyLater_{false};  // later_ non-empty; read at kicks
  bool halted_ = false;
  bool finished_ = false;

  std::atomic<uint64_t> pending_[4] = {};

  VmmHooks* hooks_ = nullptr;  // read and written on the vCPU thread only
  InterruptSource* source_ = nullptr;  // set before start()

  ExitContext exitCtx_;
  int lastInjected_ = -1;
  enum : uint32_t { kGprs = 1, kSregs = 2, kDebug = 4, kKgs = 8, kSmm = 16,
                    kExit = 32 };
  uint32_t cached_ = 0;
  uint64_t syncMask_ = 0;  // kvm_valid_regs we asked for
  uint32_t guestDebug_ = 0;  // KVM_SET_GUEST_DEBUG control in effect
  bool singleStep_ = false;  // setSingleStep(); kept across guestDebug_ changes
  Gprs gprs_{};
  SpecialRegs sregs_{};
  DebugRegs debug_{};
  uint64_t kgs_ = 0;
  bool smm_ = false;
  bool mceSetUp_ = false;  // KVM_X86_SETUP_MCE done (injectMachineCheck)
  bool mcePending_ = false;  // mce_ waits for the next entry
  MachineCheck mce_{};
  ExitFields exitFields_{};

  ExitCounters counters_;
  KvmStats kernelStats_;
};

}  // namespace vmm
