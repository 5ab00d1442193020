// Probe points: the names a `vprobe` form can attach to (table 3-3 of the
// reference, plus the dynamic GUEST:, data GUEST_READ:/GUEST_WRITE: and
// periodic USEC: forms). Also the spellings the 2011 Emmett compiler
// printed: a domain prefix (VMM:HV_Exit, VMX:VMXLoad), periodic
// TIMER:<n>usec|msec|sec, and GUEST:ENTER:<address or symbol>. The return
// probe GUEST:EXIT:<address or symbol> (VP 1.3) fires when the function
// entered there returns (docs/probes.md, "Return probes").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vp {

class GuestSymbols;

// Where a static probe's events come from: the VM event behind the probe
// (table 3-3), stated the way a monitor meets it. `param` in a row says
// more for Periodic (the period in microseconds) and Exception (the
// vector); it is 0 for the others.
enum class Source : uint8_t {
  Control,     // the host's control thread: the script loads or unloads
  Periodic,    // a timer, every `param` microseconds
  Exit,        // a VM exit (or an interrupt injected at one), on the vCPU
  Smm,         // an SMI raised on the vCPU, and the SMM entry/RSM after it
  Exception,   // the guest takes exception vector `param` (at its handler)
  Breakpoint,  // guest instructions the monitor traps (mov to CR3)
  Disk,        // the disk's device thread: a request starts or finishes
  Net,         // the network adapter's device thread: a frame goes or comes
};

// The static probes, one row each: X(name, domain, number of arguments,
// source, param). Everything else about a static probe (the enum, the
// names a monitor lists, its exception vectors, periods, which probes
// need exit hooks) is derived from this table.
#define VP_STATIC_PROBES(X)                                                        \
  X(VMM1Hz, Vmm, 0, Periodic, 1000000)                                             \
  X(VMM10Hz, Vmm, 0, Periodic, 100000)                                             \
  X(VMX1Hz, Vmx, 0, Periodic, 1000000)                                             \
  X(Guest_DE, Vmm, 0, Exception, 0) X(Guest_DB, Vmm, 0, Exception, 1)              \
  X(Guest_NMI, Vmm, 0, Exception, 2) X(Guest_BP, Vmm, 0, Exception, 3)             \
  X(Guest_OF, Vmm, 0, Exception, 4) X(Guest_BR, Vmm, 0, Exception, 5)              \
  X(Guest_UD, Vmm, 0, Exception, 6) X(Guest_NM, Vmm, 0, Exception, 7)              \
  X(Guest_DF, Vmm, 1, Exception, 8) X(Guest_TS, Vmm, 1, Exception, 10)             \
  X(Guest_RESERVED_FAULT, Vmm, 0, Exception, 15)                                   \
  X(Guest_NP, Vmm, 1, Exception, 11) X(Guest_SS, Vmm, 1, Exception, 12)            \
  X(Guest_GP, Vmm, 1, Exception, 13) X(Guest_PF, Vmm, 1, Exception, 14)            \
  X(Guest_MF, Vmm, 0, Exception, 16) X(Guest_AC, Vmm, 1, Exception, 17)            \
  X(Guest_MC, Vmm, 0, Exception, 18) X(Guest_XF, Vmm, 0, Exception, 19)            \
  X(Guest_CR3Write, Vmm, 0, Breakpoint, 0)                                         \
  X(Guest_IRQ, Vmm, 1, Exit, 0) X(Guest_TripleFault, Vmm, 0, Exit, 0)              \
  X(HV_Exit, Vmm, 0, Exit, 0) X(HV_Resume, Vmm, 0, Exit, 0)                        \
  X(HV_NPF, Vmm, 0, Exit, 0) X(In, Vmm, 3, Exit, 0) X(Out, Vmm, 3, Exit, 0)        \
  X(SMM_SMIPre, Vmm, 0, Smm, 0) X(SMM_SMIPost, Vmm, 0, Smm, 0)                     \
  X(SMM_RSMPre, Vmm, 0, Smm, 0) X(SMM_RSMPost, Vmm, 0, Smm, 0)                     \
  X(Disk_IOStart, Vmx, 8, Disk, 0) X(Disk_IOFinish, Vmx, 8, Disk, 0)               \
  X(MAC_SendPacket, Vmx, 3, Net, 0) X(MAC_ReceivePacket, Vmx, 3, Net, 0)           \
  X(VMMLoad, Vmm, 0, Control, 0) X(VMMUnload, Vmm, 0, Control, 0)                  \
  X(VMXLoad, Vmx, 0, Control, 0) X(VMXUnload, Vmx, 0, Control, 0)

enum class StaticProbe : uint8_t {
#define VP_PROBE_ENUM(name, domain, nargs, source, param) name,
  VP_STATIC_PROBES(VP_PROBE_ENUM)
#undef VP_PROBE_ENUM
  Count
};

enum class Domain : uint8_t { Vmm, Vmx };

struct ProbePoint {
  enum class Kind : uint8_t {
    Static,      // staticId says which
    Guest,       // GUEST:<linear address or guest symbol>, value = address
    GuestExit,   // GUEST:EXIT:<address or symbol>: the function's returns,
                 // value = its entry address
    GuestRead,   // GUEST_READ:<linear address>
    GuestWrite,  // GUEST_WRITE:<linear address>
    Usec,        // USEC:<microseconds> or TIMER:<n><unit>, value = period in us
  };
  Kind kind = Kind::Static;
  StaticProbe staticId = StaticProbe::Count;
  uint64_t value = 0;
  std::string name;  // as written in the script (what PROBENAME reads)
  Domain domain() const;
  // Probes on guest code or data (GUEST:, GUEST:EXIT:, GUEST_READ:/WRITE:).
  bool inGuest() const;
};

// The arguments of a GUEST:EXIT: probe: ARG0 the return value (RAX at the
// return), ARG1 nanoseconds since the entry (host monotonic clock), ARG2
// the RSP at the entry (the return address's slot: pairs with data a
// GUEST:ENTER: probe kept for the call).
enum class ExitArg : uint8_t { ReturnValue, LatencyNs, EntryRsp, Count };

// One row of VP_STATIC_PROBES.
struct StaticProbeInfo {
  std::string_view name;  // views a string literal: data() is NUL-terminated
  Domain domain;
  unsigned nargs;
  Source source;
  uint64_t param;  // Periodic: period in microseconds; Exception: vector
};
const StaticProbeInfo& staticProbeInfo(StaticProbe p);

// Parses a probe name; on failure returns false and sets `error` to what is
// wrong with it. GUEST:symbol is looked up in `symbols`; without them it is
// an error that says how to give them.
bool parseProbePoint(std::string_view name, ProbePoint& out, std::string& error,
                     const GuestSymbols* symbols = nullptr);

}  // namespace vp
