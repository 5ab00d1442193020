#include "vmm-engine/exit_fields.h"

#include <cpuid.h>
#include <cstring>
#include <linux/kvm.h>

namespace vmm {
namespace {

CpuVendor detectVendor() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return CpuVendor::Other;
  char id[13];
  memcpy(id, &ebx, 4);
  memcpy(id + 4, &edx, 4);
  memcpy(id + 8, &ecx, 4);
  id[12] = 0;
  if (!strcmp(id, "GenuineIntel")) return CpuVendor::Intel;
  if (!strcmp(id, "AuthenticAMD") || !strcmp(id, "HygonGenuine"))
    return CpuVendor::Amd;
  return CpuVendor::Other;
}

// Interruption-information format (Intel SDM "VM-Entry Controls for Event
// Injection"): vector, type 0 (external interrupt), valid bit 31. AMD's
// EVENTINJ uses the same layout for these bits.
uint64_t injectedInfo(int vector) {
  return vector < 0 ? 0 : (uint64_t(vector) | (1ull << 31));
}

void fillIntel(ExitFields& f, const ExitContext& ctx, const kvm_run* run) {
  using namespace vmx_exit;
  f.vmcsVmentryIntrInfo = injectedInfo(ctx.injectedVector);
  switch (ctx.kvmExitReason) {
    case KVM_EXIT_IO:
      f.vmcsExitReason = kIoInstruction;
      f.vmcsExitQual = vmxIoQualification(
          run->io.port, run->io.size, run->io.direction == KVM_EXIT_IO_IN,
          run->io.count > 1);
      break;
    case KVM_EXIT_HLT: f.vmcsExitReason = kHlt; f.vmcsInstrLen = 1; break;
    case KVM_EXIT_MMIO:
      f.vmcsExitReason = kEptViolation;
      f.vmcsExitQual = run->mmio.is_write ? 2 : 1;  // bit 1 write, 0 read
      f.vmcsGuestPhysAddr = run->mmio.phys_addr;
      break;
    case KVM_EXIT_SHUTDOWN: f.vmcsExitReason = kTripleFault; break;
    case KVM_EXIT_IRQ_WINDOW_OPEN: f.vmcsExitReason = kInterruptWindow; break;
    case KVM_EXIT_FAIL_ENTRY:
      f.vmcsExitReason = kEntryFailGuestState | kEntryFailureBit;
      break;
    case KVM_EXIT_DEBUG:           // a breakpoint (#BP)
    case KVM_EXIT_INTERNAL_ERROR:  // on emulating hosts: a planted int3
      f.vmcsExitReason = kExceptionOrNmi;
      f.vmcsIntrInfo = 3 | (6u << 8) | (1u << 31);  // #BP, software exc.
      f.vmcsInstrLen = 1;
      break;
    default: f.vmcsExitReason = kExternalInterrupt; break;  // kicks, EINTR
  }
}

void fillAmd(ExitFields& f, const ExitContext& ctx, const kvm_run* run) {
  using namespace svm_exit;
  f.vmcbEventInj = injectedInfo(ctx.injectedVector);
  switch (ctx.kvmExitReason) {
    case KVM_EXIT_IO:
      f.vmcbExitCode = kIoio;
      f.vmcbExitInfo1 = svmIoExitInfo1(run->io.port, run->io.size,
                                       run->io.direction == KVM_EXIT_IO_IN,
                                       run->io.count > 1);
      break;
    case KVM_EXIT_HLT: f.vmcbExitCode = kHlt; break;
    case KVM_EXIT_MMIO:
      f.vmcbExitCode = kNpf;
      f.vmcbExitInfo1 = run->mmio.is_write ? 2 : 0;  // #PF-style error code
      f.vmcbExitInfo2 = run->mmio.phys_addr;
      break;
    case KVM_EXIT_SHUTDOWN: f.vmcbExitCode = kShutdown; break;
    case KVM_EXIT_IRQ_WINDOW_OPEN: f.vmcbExitCode = kVintr; break;
    case KVM_EXIT_FAIL_ENTRY: f.vmcbExitCode = kInvalid; break;
    case KVM_EXIT_DEBUG:
    case KVM_EXIT_INTERNAL_ERROR: f.vmcbExitCode = kExceptionBase + 3; break;
    default: f.vmcbExitCode = kIntr; break;
  }
}

}  // namespace

CpuVendor hostCpuVendor() {
  static const CpuVendor v = detectVendor();
  return v;
}

uint64_t vmxIoQualification(uint16_t port, unsigned size, bool in,
                            bool rep) {
  // Intel SDM table "Exit Qualification for I/O Instructions". KVM does
  // not say whether a single-count access was a string instruction, so
  // string and REP are both reported when the count is above one.
  uint64_t q = (size - 1) & 7;
  if (in) q |= 1u << 3;
  if (rep) q |= (1u << 4) | (1u << 5);
  return q | (uint64_t(port) << 16);
}

uint64_t svmIoExitInfo1(uint16_t port, unsigned size, bool in, bool rep) {
  // AMD APM vol. 2 "IN/OUT Intercept Information": bit 0 type (1 = in),
  // 2 string, 3 rep, 4-6 operand size (8/16/32), 9 64-bit address size,
  // 16-31 port.
  uint64_t v = in ? 1 : 0;
  if (rep) v |= (1u << 2) | (1u << 3);
  v |= size == 4 ? (1u << 6) : size == 2 ? (1u << 5) : (1u << 4);
  v |= 1u << 9;
  return v | (uint64_t(port) << 16);
}

ExitFields computeExitFields(CpuVendor vendor, const ExitContext& ctx,
                             const kvm_run* run) {
  ExitFields f{};
  ExitContext c = ctx;
  if (!run) c.kvmExitReason = kExitKick;
  if (vendor == CpuVendor::Intel) fillIntel(f, c, run);
  if (vendor == CpuVendor::Amd) fillAmd(f, c, run);
  return f;
}

}  // namespace vmm
