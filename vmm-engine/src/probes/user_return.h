// A user-mode stop caught at the entry of the guest handler it reached
// (hosts where a CPL3 stop never exits, guest_probes.h): an int3 reaches
// the #BP handler, a hlt the #GP handler (error code 0). The user state
// the CPU left in the exception frame, and the return to it that the
// monitor performs itself, as the handler's iretq would, so the guest
// never sees the exception.
#pragma once

#include <cstdint>
#include <string>

#include "vmm-engine/registers.h"

namespace vmm {

class Vcpu;

struct UserReturn {
  uint64_t stop = 0;       // linear address of the planted byte
  RegisterView view;       // the user registers, RIP at the int3
  SpecialRegs sregs;       // the vCPU's special registers with user CS, SS
};

// At the entry of the handler of `vector` (kBreakpoint or
// kGeneralProtection; `regs`, `s`: the vCPU now): reads the frame at RSP
// (a #BP: RIP after the int3, CS, RFLAGS, RSP, SS; a #GP: its error code
// first, RIP at the hlt). False when the exception cannot be a stop in
// user mode, or (with `problem` set) when its segments are not ones the
// monitor can return to.
bool userStateAtTrap(Vcpu& v, unsigned vector, const Gprs& regs, const SpecialRegs& s,
                     UserReturn& out, std::string& problem);

// Sets the vCPU to the user state with general registers `gprs`: CS, SS,
// RIP, RSP, RFLAGS as iretq would load them. Nothing else changed on the
// way in (no swapgs has run: the handler's first instruction has not).
void returnToUser(Vcpu& v, const UserReturn& u, const Gprs& gprs);

}  // namespace vmm
