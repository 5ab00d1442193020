// The built-in global variables of tables 2-1 to 2-5 of the reference.
//
// Register-like globals are grouped the way a host fetches them (one ioctl
// per group in the monitor); a Target fills a whole group at once into an
// array indexed by the global's `slot`. Globals in no group are produced by
// the engine itself (ARGn, PROBENAME, VCPUID, TSC).
#pragma once

#include <cstdint>
#include <string_view>

namespace vp {

// X(name, group, slot). Groups: Gpr, Sreg, Debug, Msr, Exit, Misc, Host,
// None (engine-provided). SMM and VCPUID are per vCPU, so the target
// provides them; reading them on a VMX thread fails like any register.
#define VP_GLOBALS(X)                                                        \
  X(RAX, Gpr, 0) X(RBX, Gpr, 1) X(RCX, Gpr, 2) X(RDX, Gpr, 3)                \
  X(RSI, Gpr, 4) X(RDI, Gpr, 5) X(RSP, Gpr, 6) X(RBP, Gpr, 7)                \
  X(R8, Gpr, 8) X(R9, Gpr, 9) X(R10, Gpr, 10) X(R11, Gpr, 11)                \
  X(R12, Gpr, 12) X(R13, Gpr, 13) X(R14, Gpr, 14) X(R15, Gpr, 15)            \
  X(RIP, Gpr, 16) X(RFLAGS, Gpr, 17)                                         \
  X(CS, Sreg, 0) X(CSAR, Sreg, 1) X(CSBASE, Sreg, 2) X(CSLIMIT, Sreg, 3)     \
  X(SS, Sreg, 4) X(SSAR, Sreg, 5) X(SSBASE, Sreg, 6) X(SSLIMIT, Sreg, 7)     \
  X(DS, Sreg, 8) X(DSAR, Sreg, 9) X(DSBASE, Sreg, 10) X(DSLIMIT, Sreg, 11)   \
  X(ES, Sreg, 12) X(ESAR, Sreg, 13) X(ESBASE, Sreg, 14)                      \
  X(ESLIMIT, Sreg, 15)                                                       \
  X(FS, Sreg, 16) X(FSAR, Sreg, 17) X(FSBASE, Sreg, 18)                      \
  X(FSLIMIT, Sreg, 19)                                                       \
  X(GS, Sreg, 20) X(GSAR, Sreg, 21) X(GSBASE, Sreg, 22)                      \
  X(GSLIMIT, Sreg, 23)                                                       \
  X(TR, Sreg, 24) X(TRAR, Sreg, 25) X(TRBASE, Sreg, 26)                      \
  X(TRLIMIT, Sreg, 27)                                                       \
  X(LDTR, Sreg, 28) X(LDTRAR, Sreg, 29) X(LDTRBASE, Sreg, 30)                \
  X(LDTRLIMIT, Sreg, 31)                                                     \
  X(GDTRBASE, Sreg, 32) X(GDTRLIMIT, Sreg, 33) X(IDTRBASE, Sreg, 34)         \
  X(IDTRLIMIT, Sreg, 35)                                                     \
  X(CR0, Sreg, 36) X(CR2, Sreg, 37) X(CR3, Sreg, 38) X(CR4, Sreg, 39)        \
  X(CR8, Sreg, 40) X(EFER, Sreg, 41) X(APIC_BASEPA, Sreg, 42)                \
  X(DR6, Debug, 0) X(DR7, Debug, 1)                                          \
  X(KERNELGSBASE, Msr, 0)                                                    \
  X(VMCS_EXIT_REASON, Exit, 0) X(VMCS_INTR_INFO, Exit, 1)                    \
  X(VMCS_INTR_ERR, Exit, 2) X(VMCS_IDTVEC_INFO, Exit, 3)                     \
  X(VMCS_IDTVEC_ERR, Exit, 4) X(VMCS_INSTRLEN, Exit, 5)                      \
  X(VMCS_VMENTRY_INTR_INFO, Exit, 6) X(VMCS_VMENTRYXCP_ERR, Exit, 7)         \
  X(VMCS_EXIT_QUAL, Exit, 8)                                                 \
  X(VMCB_EXITCODE, Exit, 9) X(VMCB_EXITINFO1, Exit, 10)                      \
  X(VMCB_EXITINFO2, Exit, 11) X(VMCB_EXITINTINFO, Exit, 12)                  \
  X(VMCB_EVENTINJ, Exit, 13) X(VMCB_TLBCTL, Exit, 14) X(VMCB_VAPIC, Exit, 15)\
  X(VMCS_INSTR_INFO, Exit, 16) X(VT_PHYSICAL_ADDR, Exit, 17)                 \
  X(VT_LINEAR_ADDR, Exit, 18) X(VT_VMINSTR_ERR, Exit, 19)                    \
  X(VT_IO_ECX, Exit, 20) X(VT_IO_ESI, Exit, 21) X(VT_IO_EDI, Exit, 22)       \
  X(VT_IO_EIP, Exit, 23)                                                     \
  X(SMM, Misc, 0) X(VCPUID, Misc, 1)                                         \
  X(TSC_HZ, Host, 0) X(PCPUID, Host, 1) X(THREADID, Host, 2)                 \
  X(NUMVCPUS, Host, 3) X(BRCNT, Host, 4)                                     \
  X(ARG0, None, 0) X(ARG1, None, 1) X(ARG2, None, 2) X(ARG3, None, 3)        \
  X(ARG4, None, 4) X(ARG5, None, 5) X(ARG6, None, 6) X(ARG7, None, 7)        \
  X(ARG8, None, 8) X(ARG9, None, 9)                                          \
  X(TSC, None, 10) X(PROBENAME, None, 11)

// Other spellings of the globals above, X(alias, global): those the 2011
// Emmett compiler (vprobe-toolkit) knew, so VP it printed and scripts
// written for it keep loading. Which fields stay 0 and why: docs/vp-language.md.
#define VP_GLOBAL_ALIASES(X)                                                 \
  X(VMCS_EXIT_INTR_INFO, VMCS_INTR_INFO) X(VMCS_EXIT_INTR_ERR, VMCS_INTR_ERR)\
  X(VMCS_VMENTRY_XCP_ERR, VMCS_VMENTRYXCP_ERR) X(RDTSC, TSC)                 \
  X(VT_EXIT_REASON, VMCS_EXIT_REASON) X(VT_EXIT_QUAL, VMCS_EXIT_QUAL)        \
  X(VT_EXIT_INT_INFO, VMCS_INTR_INFO) X(VT_EXIT_INT_ERR, VMCS_INTR_ERR)      \
  X(VT_IDTVEC_INFO, VMCS_IDTVEC_INFO) X(VT_IDTVEC_ERR, VMCS_IDTVEC_ERR)      \
  X(VT_INSTR_LEN, VMCS_INSTRLEN) X(VT_INSTR_INFO, VMCS_INSTR_INFO)           \
  X(VT_VMENTRY_INT_INFO, VMCS_VMENTRY_INTR_INFO)                             \
  X(VT_VMENTRY_INT_ERR, VMCS_VMENTRYXCP_ERR)

enum class Global : uint16_t {
#define VP_GLOBAL_ENUM(name, group, slot) name,
  VP_GLOBALS(VP_GLOBAL_ENUM)
#undef VP_GLOBAL_ENUM
  Count
};

// Number of slots in each fetchable group (RegGroup order in vp.h).
inline constexpr unsigned kGroupSlots[] = {18, 43, 2, 1, 24, 2, 5};
inline constexpr unsigned kGroupCount = 7;
// Index of a group's first slot in a flat cache of all groups.
inline constexpr unsigned kGroupBase[] = {0, 18, 61, 63, 64, 88, 90};
inline constexpr unsigned kCachedSlots = 95;

struct GlobalInfo {
  std::string_view name;
  int group;      // RegGroup value, or -1 for engine-provided globals
  unsigned slot;  // index within the group
  bool isString;  // only PROBENAME
  bool perVcpu;   // reading it on a VMX thread is an error
};

const GlobalInfo& globalInfo(Global g);
// Looks a name up (aliases included); false if it is not a built-in global.
bool findGlobal(std::string_view name, Global& out);

}  // namespace vp
