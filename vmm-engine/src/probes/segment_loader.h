// Segment registers as the CPU loads them from the guest's GDT: what the
// monitor needs to finish a return to user mode itself (as iretq would)
// or to describe the interrupted context of an exception to a probe. The
// GDT is guest memory, hence hostile: every field is checked.
#pragma once

#include <cstdint>

#include "vmm-engine/registers.h"

namespace vmm {

class Vcpu;

// Loads `selector` from the vCPU's GDT (LDT selectors are refused). False
// when it is outside the GDT, unreadable or not present.
bool loadSegment(Vcpu& v, uint16_t selector, Segment& out);

// A user (DPL 3) 64-bit code segment and a writable data segment: what a
// return to 64-bit user mode needs.
bool isUserCode64(const Segment& s);
bool isUserStack(const Segment& s);

}  // namespace vmm
