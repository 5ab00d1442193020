// A user-mode #BP caught at the guest's #BP handler entry (hosts where a
// CPL3 int3 never exits, guest_probes.h): the user state the CPU left in
// the exception frame, and the return to it that the monitor performs
// itself, as the handler's iretq would, so the guest never sees the #BP.
#pragma once

#include <cstdint>
#include <string>

#include "vmm-engine/registers.h"

namespace vmm {

class Vcpu;

struct UserReturn {
  uint64_t int3 = 0;       // linear address of the int3 (frame RIP - 1)
  RegisterView view;       // the user registers, RIP at the int3
  SpecialRegs sregs;       // the vCPU's special registers with user CS, SS
};

// At the handler's entry (`regs`, `s`: the vCPU now): reads the frame at
// RSP (RIP, CS, RFLAGS, RSP, SS; #BP has no error code). False when the
// #BP did not come from user mode, or (with `problem` set) when its
// segments are not ones the monitor can return to.
bool userStateAtBpEntry(Vcpu& v, const Gprs& regs, const SpecialRegs& s, UserReturn& out,
                        std::string& problem);

// Sets the vCPU to the user state with general registers `gprs`: CS, SS,
// RIP, RSP, RFLAGS as iretq would load them. Nothing else changed on the
// way in (no swapgs has run: the handler's first instruction has not).
void returnToUser(Vcpu& v, const UserReturn& u, const Gprs& gprs);

}  // namespace vmm
