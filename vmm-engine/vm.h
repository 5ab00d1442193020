// A virtual machine on KVM: guest RAM, the loaded guest image, the boot
// state of docs/platform.md, one thread per vCPU, the I/O bus and the
// VMM-domain probe hooks.
//
// Lifecycle:
//   auto vm = Vm::create(config, error);   // KVM VM, RAM, image, vCPUs
//   vm->ioBus().add(...);                   // devices (vmx-engine/devices.h)
//   vm->start(error);                       // vCPU threads run
//   ... vm->requestStop() from any thread, or the guest powers off ...
//   StopInfo why = vm->wait();              // all vCPU threads have ended
//   // destroy devices (they hold a Vm&), then the Vm
// Teardown mirrors setup: ~Vm stops and joins the vCPU threads, then closes
// the vCPU fds, the VM fd and unmaps RAM.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vmm-engine/breakpoint_mechanism.h"
#include "vmm-engine/breakpoints.h"
#include "vmm-engine/elf_code_map.h"
#include "vmm-engine/exit_fields.h"
#include "vmm-engine/guest_memory.h"
#include "vmm-engine/io_bus.h"
#include "vmm-engine/memory_layout.h"
#include "vmm-engine/metrics.h"
#include "vmm-engine/vcpu.h"

namespace vmm {

class VmmHooks;
class TrapHandler;
class InterruptSource;

struct VmConfig {
  uint32_t memMiB = 64;       // RAM at guest-physical 0 (2 .. 65536)
  uint32_t numVcpus = 1;      // 1 .. kMaxVcpus
  std::string imagePath;      // static ELF64 guest image (the demo platform)
  // A Linux guest instead (linux_loader.h): bzImage, optional initrd.
  // Exclusive with imagePath; one vCPU (the PIC pair has no local APICs).
  std::string kernelPath, initrdPath;
  // Boot information command line (< 256 bytes), or the kernel's (up to
  // its cmdline_size).
  std::string cmdline;
  uint64_t diskSectors = 0;   // disk capacity reported in the boot info
  // Plant hlt stops where the host's hlt exits, even where the self-test
  // found int3s exit too (breakpoint_mechanism.h): tests of that path.
  bool preferHltStops = false;
  // Give the guest no System Management Mode even where KVM has it (also
  // VPROBE_SMM=off): tests of a host that refuses SMM.
  bool disableSmm = false;
};
inline constexpr uint32_t kMaxVcpus = 16;

enum class StopReason { Running, PowerOff, TripleFault, StopRequest, Error };

inline bool isLinuxGuest(const VmConfig& c) { return !c.kernelPath.empty(); }

struct StopInfo {
  StopReason reason = StopReason::Running;
  uint32_t exitCode = 0;  // PowerOff: the value written to port 0x5f0
  std::string message;    // Error: what failed (with RIP when known)
  // "power off (code 0)", "triple fault", "stop requested", "error: ..."
  std::string describe() const;
};

class Vm {
 public:
  // Opens /dev/kvm, creates the VM, RAM, loads the image, writes the boot
  // structures and creates the vCPUs in their boot state. Null on failure
  // with `error` saying what to fix.
  static std::unique_ptr<Vm> create(const VmConfig& config,
                                    std::string& error);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  const VmConfig& config() const { return config_; }
  GuestMemory& memory() { return *memory_; }
  IoBus& ioBus() { return bus_; }
  unsigned numVcpus() const { return unsigned(vcpus_.size()); }
  Vcpu& vcpu(unsigned i) { return *vcpus_.at(i); }
  CpuVendor vendor() const { return vendor_; }
  // The guest image's code (elf_code_map.h), as the file said at boot.
  // Empty for a Linux guest (guest.kernel): a bzImage has no symbols.
  const std::vector<CodeRange>& imageCode() const { return imageCode_; }

  // Makes `source` the interrupt controller of vCPU 0 (interrupt_source.h).
  // Before start(); `source` must outlive the vCPU threads.
  void setInterruptSource(InterruptSource* source);

  // Starts the vCPU threads (once).
  bool start(std::string& error);

  // Ask the VM to stop. Any thread; the first reason recorded wins.
  void requestStop();
  void powerOff(uint32_t code);
  void tripleFault();
  void fail(std::string message);

  // Blocks until every vCPU thread has ended (returns at once when the VM
  // was never started), then reports why it stopped.
  StopInfo wait();
  // As wait(), giving up after `timeout`; false if still running.
  bool waitFor(std::chrono::milliseconds timeout, StopInfo& out);
  // Why it stops, or reason Running.
  StopInfo stopInfo() const;

  // Installs (or with null removes) the VMM probe hooks on every vCPU; see
  // hooks.h. Must not be called from a vCPU thread. `hooks` must stay valid
  // until replaced.
  void setHooks(VmmHooks* hooks);

  // Sum over vCPUs.
  ExitCounts counts() const;
  // KVM's own per-vCPU statistics (KVM_GET_STATS_FD, kvm_stats.h), by
  // name, summed over the vCPUs (peaks: the largest). Any thread. Empty on
  // hosts without them; kernelStatsError() then says why.
  std::map<std::string, uint64_t> kernelStats() const;
  const std::string& kernelStatsError() const { return kernelStatsError_; }

  // Runs `fn` with every vCPU thread parked between two exits: none is in
  // KVM_RUN or in the middle of handling an exit, so `fn` may change what
  // they all rely on (planted int3s, memslots, the trap handler). Then
  // `after` (if given) runs for each vCPU on its own thread (or on the
  // caller's for a vCPU whose thread is not running), before that vCPU
  // resumes: to fix up a vCPU that `fn` caught half-way through something.
  // Returns with the vCPUs running again. Not from a vCPU thread. A VM
  // that is not running (not started, or stopped) is trivially stopped.
  void stopWorld(const std::function<void()>& fn,
                 const std::function<void(Vcpu&)>& after = {});
  // Installs (null: removes) the handler of probe traps (traps.h). Only
  // inside stopWorld().
  void setTraps(TrapHandler* traps) { traps_ = traps; }
  // The memslots (memory_layout.h). Change and apply them inside
  // stopWorld().
  MemoryLayout& memoryLayout() { return *layout_; }
  // The int3s planted in RAM, shared by every loaded probe set (the one
  // going away and the one coming in see the guest's original bytes
  // through it). Plant and remove inside stopWorld().
  Breakpoints& breakpoints() { return *breakpoints_; }
  // How planted stops reach the monitor on this host, chosen by the
  // self-test of breakpoint_mechanism.h when the VM was created.
  const BreakpointSupport& breakpointSupport() const { return stops_; }

  // Whether a vCPU can enter System Management Mode (Vcpu::raiseSmi):
  // KVM_CAP_X86_SMM and a second memory address space, which then maps
  // all of RAM for SMM code, SMRAM included (docs/platform.md).
  bool smmSupported() const { return smm_; }
  // Why not, for messages: "" when supported.
  const std::string& smmRefusal() const { return smmRefusal_; }

  // Makes KVM drop every shadow page table it keeps for the guest (only
  // hosts without EPT/NPT keep them, host_paging.h), so that the next
  // guest accesses walk the guest's page tables again: after a store the
  // monitor made for the guest, which KVM's write tracking did not see.
  // Any thread, vCPU threads included. False, with `error`, when KVM
  // refused.
  bool dropShadowPageTables(std::string& error);

  // KVM_SYNC_X86_* bits this host can store in kvm_run (KVM_CAP_SYNC_REGS).
  uint64_t syncRegsCap() const { return syncRegsCap_; }
  // Vcpu::setSyncRegs on every vCPU (through call()). Not from a vCPU thread.
  void setSyncRegs(bool gprs, bool sregs);

 private:
  friend class Vcpu;
  Vm() = default;
  bool setup(const VmConfig& config, std::string& error);
  bool createVcpus(std::string& error);
  bool loadGuest(std::string& error);
  void setupSmm();
  void stopWith(StopReason reason, uint32_t code, std::string message);
  void vcpuFinished();

  VmConfig config_;
  CpuVendor vendor_ = CpuVendor::Other;
  uint64_t syncRegsCap_ = 0;
  bool smm_ = false;
  std::string smmRefusal_;
  int kvmFd_ = -1, vmFd_ = -1;
  std::unique_ptr<GuestMemory> memory_;
  std::unique_ptr<MemoryLayout> layout_;
  std::unique_ptr<Breakpoints> breakpoints_;
  BreakpointSupport stops_;
  TrapHandler* traps_ = nullptr;  // see setTraps()
  uint64_t entry_ = 0;
  std::vector<CodeRange> imageCode_;
  IoBus bus_;
  std::vector<std::unique_ptr<Vcpu>> vcpus_;
  std::string kernelStatsError_;
  std::mutex shadowMu_;  // one dropShadowPageTables at a time
  void* scratchPage_ = nullptr;

  mutable std::mutex mu_;  // guards stop_, started_, live_
  std::condition_variable cv_;
  StopInfo stop_;
  bool started_ = false;
  unsigned live_ = 0;  // vCPU threads still running
  bool joined_ = false;
};

}  // namespace vmm
