// The architectural exit information probes read (VMCS_* on an Intel host,
// VMCB_* on an AMD host), derived from the KVM exit. KVM reports exits in
// its own vocabulary (KVM_EXIT_IO, ...); this maps each one to the code the
// hardware would have produced, so scripts written for VMware's VT-x/AMD-V
// monitor read familiar values. Fields of the other vendor read 0.
#pragma once

#include <cstdint>

struct kvm_run;

namespace vmm {

enum class CpuVendor : uint8_t { Intel, Amd, Other };

// The host CPU's vendor (CPUID leaf 0), computed once.
CpuVendor hostCpuVendor();

// Intel basic exit reasons (SDM vol. 3, appendix C).
namespace vmx_exit {
inline constexpr uint32_t kExceptionOrNmi = 0, kExternalInterrupt = 1,
                          kTripleFault = 2, kInterruptWindow = 7, kHlt = 12,
                          kIoInstruction = 30, kEntryFailGuestState = 33,
                          kEptViolation = 48;
inline constexpr uint32_t kEntryFailureBit = 0x80000000u;
}  // namespace vmx_exit

// AMD SVM exit codes (APM vol. 2, appendix C).
namespace svm_exit {
inline constexpr uint64_t kExceptionBase = 0x40, kIntr = 0x60, kVintr = 0x64,
                          kHlt = 0x78, kIoio = 0x7b, kShutdown = 0x7f,
                          kNpf = 0x400, kInvalid = ~0ull;
}  // namespace svm_exit

// In the order of the VP `Exit` group (vp/globals.h, slots 0-23).
struct ExitFields {
  uint64_t vmcsExitReason, vmcsIntrInfo, vmcsIntrErr, vmcsIdtvecInfo,
      vmcsIdtvecErr, vmcsInstrLen, vmcsVmentryIntrInfo, vmcsVmentryXcpErr,
      vmcsExitQual;
  uint64_t vmcbExitCode, vmcbExitInfo1, vmcbExitInfo2, vmcbExitIntInfo,
      vmcbEventInj, vmcbTlbCtl, vmcbVapic;
  // Fields the 2011 Emmett compiler named. KVM reports none of them but the
  // guest-physical address of an EPT violation (an MMIO exit here); the
  // rest read 0: instruction information, the guest-linear address, the
  // VM-instruction error and the I/O RCX/RSI/RDI/RIP of an SMI.
  uint64_t vmcsInstrInfo, vmcsGuestPhysAddr, vmcsGuestLinearAddr,
      vmcsVmInstrErr, vmcsIoRcx, vmcsIoRsi, vmcsIoRdi, vmcsIoRip;
};
static_assert(sizeof(ExitFields) == 24 * sizeof(uint64_t));

// What the monitor knows about one exit besides kvm_run.
struct ExitContext {
  int kvmExitReason = 0;   // KVM_EXIT_*, or kExitKick
  int injectedVector = -1; // interrupt injected on the entry before, or -1
};
// Pseudo exit reason for a KVM_RUN that returned EINTR (a kick).
inline constexpr int kExitKick = -1;

// Fills every field from the exit; `run` may be null for a kick.
ExitFields computeExitFields(CpuVendor vendor, const ExitContext& ctx,
                             const kvm_run* run);

// Intel VMCS_EXIT_QUAL / AMD EXITINFO1 for an I/O exit.
uint64_t vmxIoQualification(uint16_t port, unsigned size, bool in, bool rep);
uint64_t svmIoExitInfo1(uint16_t port, unsigned size, bool in, bool rep);

}  // namespace vmm
