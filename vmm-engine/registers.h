// Guest register state as the monitor exposes it to probes and devices.
//
// Layouts follow the VP globals (vp/globals.h) so a probe target can copy a
// group without reordering: Gprs is in RAX..R15, RIP, RFLAGS order (which is
// also the layout of struct kvm_regs), SpecialRegs lists segments in CS, SS,
// DS, ES, FS, GS, TR, LDTR order.
#pragma once

#include <cstdint>

namespace vmm {

struct Gprs {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip, rflags;
};

// Segment access rights in the VMX format (Intel SDM vol. 3, "Guest
// Register State", the VMCS "access rights" fields):
//   bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G,
//   16 unusable.
namespace ar {
inline constexpr uint32_t kTypeMask = 0xf, kS = 1u << 4, kDplShift = 5,
                          kP = 1u << 7, kAvl = 1u << 12, kL = 1u << 13,
                          kDb = 1u << 14, kG = 1u << 15,
                          kUnusable = 1u << 16;
}  // namespace ar

struct Segment {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0;
  uint32_t ar = 0;  // VMX access rights, see namespace ar
};

struct SpecialRegs {
  Segment cs, ss, ds, es, fs, gs, tr, ldtr;
  uint64_t gdtrBase = 0, idtrBase = 0;
  uint16_t gdtrLimit = 0, idtrLimit = 0;
  uint64_t cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0, efer = 0;
  uint64_t apicBase = 0;
};

struct DebugRegs {
  uint64_t dr6 = 0, dr7 = 0;
};

// An exception for the guest to take (delivered at the next entry), e.g.
// the page fault an emulated instruction raised.
struct GuestException {
  uint8_t vector = 14;
  bool hasErrorCode = true;
  uint32_t errorCode = 0;
  uint64_t cr2 = 0;  // #PF only: the faulting linear address
};

// A machine-check error to report to the guest (genmce): the values of
// bank `bank`'s MCi_STATUS, MCi_ADDR and MCi_MISC (Intel SDM vol. 3,
// "Machine-Check Architecture").
struct MachineCheck {
  unsigned bank = 0;
  uint64_t status = 0, addr = 0, misc = 0;
};

// The registers a probe sees in place of the vCPU's own: the context an
// exception interrupted (Guest_* probes fire "before delivery"), or the
// user-mode state of a user-mode int3 caught at the guest's #BP handler.
// General registers, and the code and stack segments.
struct RegisterView {
  Gprs gprs{};
  Segment cs, ss;
};

// Architectural MSR numbers the monitor reads.
inline constexpr uint32_t kMsrKernelGsBase = 0xC0000102;

}  // namespace vmm
