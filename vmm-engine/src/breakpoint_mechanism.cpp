// The breakpoint self-test (breakpoint_mechanism.h): a throwaway VM runs
// `int3; hlt` at CPL0 in long mode, its #BP handler a hlt, and the exits
// it reports decide how planted stops reach the monitor on this host.
#include "vmm-engine/breakpoint_mechanism.h"

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <linux/kvm.h>
#include <mutex>
#include <pthread.h>
#include <csignal>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

#include "boot_state.h"
#include "kvm_setup.h"
#include "vmm-engine/guest_memory.h"
#include "vmm-engine/vcpu.h"

namespace vmm {
namespace {

// The test VM's memory: the boot structures of boot_state.h below 0x10000
// (page tables, GDT, the boot stack under 0x7000), and these.
constexpr uint64_t kIdtGpa = 0x1000, kCodeGpa = 0x2000, kHandlerGpa = 0x3000;
constexpr uint64_t kRam = 2ull << 20;
constexpr int kTimeoutSeconds = 20;  // an emulated host is slow

std::string hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

void writeGuest(GuestMemory& mem) {
  const uint8_t code[] = {0xcc, 0xf4, 0xf4};  // int3; hlt; hlt
  const uint8_t handler[] = {0xf4, 0xf4};     // the #BP handler: hlt
  mem.write(kCodeGpa, code, sizeof code);
  mem.write(kHandlerGpa, handler, sizeof handler);
  // A 64-bit interrupt gate for vector 3: CS 0x08, present, DPL 0.
  uint8_t gate[16] = {};
  uint16_t lo = uint16_t(kHandlerGpa), mid = uint16_t(kHandlerGpa >> 16);
  uint32_t hi = uint32_t(kHandlerGpa >> 32);
  memcpy(gate, &lo, 2);
  gate[2] = 0x08;
  gate[5] = 0x8e;
  memcpy(gate + 6, &mid, 2);
  memcpy(gate + 8, &hi, 4);
  mem.write(kIdtGpa + 3 * 16, gate, sizeof gate);
}

// One throwaway VM with one vCPU in the boot state, at kCodeGpa.
struct TestVm {
  GuestMemory mem{kRam};
  int vmFd = -1;
  VcpuHandles vcpu;
  std::string error;

  explicit TestVm(int kvmFd) {
    if (!mem.valid()) {
      error = mem.error();
      return;
    }
    BootParams bp{kRam, 1, 0, ""};
    if ((vmFd = createVmWithRam(kvmFd, mem, error)) < 0 ||
        !writeBootStructures(mem, bp, error) ||
        !createBootVcpu(kvmFd, vmFd, 0, kCodeGpa, BootKind::Demo, vcpu, error))
      return;
    writeGuest(mem);
    kvm_sregs s;
    // SAFETY: kvm_sregs is what these ioctls take; the vCPU is not running.
    if (ioctl(vcpu.fd, KVM_GET_SREGS, &s) < 0) {
      fail("KVM_GET_SREGS");
      return;
    }
    s.idt.base = kIdtGpa;
    s.idt.limit = 4 * 16 - 1;
    if (ioctl(vcpu.fd, KVM_SET_SREGS, &s) < 0) {
      fail("KVM_SET_SREGS");
      return;
    }
    kvm_guest_debug d{};
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
    ioctl(vcpu.fd, KVM_SET_GUEST_DEBUG, &d);  // no effect on some hosts
  }
  ~TestVm() {
    if (vcpu.run) munmap(vcpu.run, vcpu.runSize);
    if (vcpu.fd >= 0) close(vcpu.fd);
    if (vmFd >= 0) close(vmFd);
  }
  void fail(const char* what) { error = std::string(what) + ": " + strerror(errno); }
  bool ok() const { return error.empty() && vcpu.fd >= 0; }

  bool rip(uint64_t& out) {
    kvm_regs r;
    // SAFETY: kvm_regs is what KVM_GET_REGS fills.
    if (ioctl(vcpu.fd, KVM_GET_REGS, &r) < 0) return false;
    out = r.rip;
    return true;
  }
  bool setRip(uint64_t v) {
    kvm_regs r;
    if (ioctl(vcpu.fd, KVM_GET_REGS, &r) < 0) return false;
    r.rip = v;
    return ioctl(vcpu.fd, KVM_SET_REGS, &r) == 0;
  }
};

// KVM_RUN on a thread of its own, abandoned after kTimeoutSeconds (a host
// that loops in the guest must not hang VM creation). Returns the exit
// reason, or -1 for a failed or timed-out run.
int runOnce(TestVm& vm) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  int reason = -1;
  kickSignal();  // the no-op handler, so the kick interrupts KVM_RUN
  std::thread t([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, kickSignal());
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    // SAFETY: the vCPU fd and its kvm_run mapping belong to `vm`, used by
    // this thread only while it runs.
    int r = ioctl(vm.vcpu.fd, KVM_RUN, 0);
    std::lock_guard l(m);
    reason = r < 0 ? -1 : int(vm.vcpu.run->exit_reason);
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock l(m);
    if (!cv.wait_for(l, std::chrono::seconds(kTimeoutSeconds), [&] { return done; })) {
      __atomic_store_n(&vm.vcpu.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
      pthread_kill(t.native_handle(), kickSignal());
    }
  }
  t.join();
  return reason;
}

const char* exitName(int reason) {
  switch (reason) {
    case -1: return "no exit (KVM_RUN failed or timed out)";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN";
    default: return "another exit";
  }
}

}  // namespace

unsigned BreakpointSupport::userTrapVector() const {
  return mechanism == BreakpointMechanism::HaltExit ? 13 : 3;
}

uint8_t BreakpointSupport::stop() const {
  switch (mechanism) {
    case BreakpointMechanism::DebugExit:
    case BreakpointMechanism::EmulationExit: return 0xcc;
    case BreakpointMechanism::HaltExit: return 0xf4;
    case BreakpointMechanism::None: break;
  }
  return 0;
}

const char* BreakpointSupport::describe() const {
  switch (mechanism) {
    case BreakpointMechanism::DebugExit: return "int3 (KVM_EXIT_DEBUG)";
    case BreakpointMechanism::EmulationExit: return "int3 (emulation exit)";
    case BreakpointMechanism::HaltExit: return "hlt (KVM_EXIT_HLT)";
    case BreakpointMechanism::None: break;
  }
  return "none";
}

BreakpointSupport probeBreakpointSupport(int kvmFd) {
  BreakpointSupport out;
  TestVm vm(kvmFd);
  if (!vm.ok()) {
    out.detail = "self-test VM: " + vm.error;
    return out;
  }
  int first = runOnce(vm);
  uint64_t rip = 0;
  bool haveRip = first >= 0 && vm.rip(rip);
  out.detail = std::string("a CPL0 int3 gave ") + exitName(first) +
               (haveRip ? " at RIP " + hex(rip) : "");
  bool atInt3 = haveRip && rip == kCodeGpa;
  if (first == KVM_EXIT_DEBUG && atInt3 && vm.vcpu.run->debug.arch.exception == 3)
    out.mechanism = BreakpointMechanism::DebugExit;
  else if (first == KVM_EXIT_INTERNAL_ERROR && atInt3 &&
           vm.vcpu.run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
    out.mechanism = BreakpointMechanism::EmulationExit;
  if (first == KVM_EXIT_HLT && haveRip && rip == kHandlerGpa + 1) {
    // The guest took its own #BP, and the handler's hlt exited past it.
    out.hltExits = true;
  } else if (out.mechanism != BreakpointMechanism::None && vm.setRip(kCodeGpa + 1)) {
    int second = runOnce(vm);
    out.hltExits = second == KVM_EXIT_HLT && vm.rip(rip) && rip == kCodeGpa + 2;
  }
  out.detail += out.hltExits ? "; a CPL0 hlt exits past it" : "; a CPL0 hlt did not exit";
  if (out.mechanism == BreakpointMechanism::None && out.hltExits)
    out.mechanism = BreakpointMechanism::HaltExit;
  return out;
}

BreakpointSupport chooseBreakpointSupport(int kvmFd, bool preferHlt) {
  static const BreakpointSupport tested = probeBreakpointSupport(kvmFd);
  BreakpointSupport s = tested;
  const char* want = getenv("VPROBE_BREAKPOINTS");
  preferHlt = preferHlt || (want && !strcmp(want, "hlt"));
  if (preferHlt && s.hltExits && s.mechanism != BreakpointMechanism::HaltExit) {
    s.mechanism = BreakpointMechanism::HaltExit;
    s.detail += "; hlt preferred";
  }
  return s;
}

}  // namespace vmm
