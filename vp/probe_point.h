// Probe points: the names a `vprobe` form can attach to (table 3-3 of the
// reference, plus the dynamic GUEST:, data GUEST_READ:/GUEST_WRITE: and
// periodic USEC: forms). Also the spellings the 2011 Emmett compiler
// printed: a domain prefix (VMM:HV_Exit, VMX:VMXLoad), periodic
// TIMER:<n>usec|msec|sec, and GUEST:ENTER:<address or symbol>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vp {

class GuestSymbols;

// X(name, domain, number of arguments)
#define VP_STATIC_PROBES(X)                                                  \
  X(VMM1Hz, Vmm, 0) X(VMM10Hz, Vmm, 0) X(VMX1Hz, Vmx, 0)                     \
  X(Guest_DE, Vmm, 0) X(Guest_DB, Vmm, 0) X(Guest_NMI, Vmm, 0)               \
  X(Guest_BP, Vmm, 0) X(Guest_OF, Vmm, 0) X(Guest_BR, Vmm, 0)                \
  X(Guest_UD, Vmm, 0) X(Guest_NM, Vmm, 0) X(Guest_DF, Vmm, 1)                \
  X(Guest_TS, Vmm, 1) X(Guest_RESERVED_FAULT, Vmm, 0) X(Guest_NP, Vmm, 1)    \
  X(Guest_SS, Vmm, 1) X(Guest_GP, Vmm, 1) X(Guest_PF, Vmm, 1)                \
  X(Guest_MF, Vmm, 0) X(Guest_AC, Vmm, 1) X(Guest_MC, Vmm, 0)                \
  X(Guest_XF, Vmm, 0) X(Guest_CR3Write, Vmm, 0) X(Guest_IRQ, Vmm, 1)         \
  X(Guest_TripleFault, Vmm, 0) X(HV_Exit, Vmm, 0) X(HV_Resume, Vmm, 0)       \
  X(HV_NPF, Vmm, 0) X(In, Vmm, 3) X(Out, Vmm, 3) X(SMM_SMIPre, Vmm, 0)       \
  X(SMM_SMIPost, Vmm, 0) X(SMM_RSMPre, Vmm, 0) X(SMM_RSMPost, Vmm, 0)        \
  X(Disk_IOStart, Vmx, 8) X(Disk_IOFinish, Vmx, 8)                           \
  X(MAC_SendPacket, Vmx, 3) X(MAC_ReceivePacket, Vmx, 3)                     \
  X(VMMLoad, Vmm, 0) X(VMMUnload, Vmm, 0) X(VMXLoad, Vmx, 0)                 \
  X(VMXUnload, Vmx, 0)

enum class StaticProbe : uint8_t {
#define VP_PROBE_ENUM(name, domain, nargs) name,
  VP_STATIC_PROBES(VP_PROBE_ENUM)
#undef VP_PROBE_ENUM
  Count
};

enum class Domain : uint8_t { Vmm, Vmx };

struct ProbePoint {
  enum class Kind : uint8_t {
    Static,      // staticId says which
    Guest,       // GUEST:<linear address or guest symbol>, value = address
    GuestRead,   // GUEST_READ:<linear address>
    GuestWrite,  // GUEST_WRITE:<linear address>
    Usec,        // USEC:<microseconds> or TIMER:<n><unit>, value = period in us
  };
  Kind kind = Kind::Static;
  StaticProbe staticId = StaticProbe::Count;
  uint64_t value = 0;
  std::string name;  // as written in the script (what PROBENAME reads)
  Domain domain() const;
};

struct StaticProbeInfo {
  std::string_view name;
  Domain domain;
  unsigned nargs;
};
const StaticProbeInfo& staticProbeInfo(StaticProbe p);

// Parses a probe name; on failure returns false and sets `error` to what is
// wrong with it. GUEST:symbol is looked up in `symbols`; without them it is
// an error that says how to give them.
bool parseProbePoint(std::string_view name, ProbePoint& out, std::string& error,
                     const GuestSymbols* symbols = nullptr);

}  // namespace vp
