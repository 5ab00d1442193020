// The guest exceptions of table 3-3 (Guest_DE ... Guest_XF) and how the
// monitor finds where the guest handles them: its IDT, read through the
// vCPU's registers and page tables (hostile: every gate is checked).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vp/probe_point.h"

namespace vmm {

class Vcpu;

namespace exc {

inline constexpr unsigned kVectors = 32;  // exceptions live in 0..31
inline constexpr unsigned kBreakpoint = 3;
inline constexpr unsigned kGeneralProtection = 13;

// The vector of a Guest_<exception> probe, or nullopt for other probes.
std::optional<unsigned> vectorOf(vp::StaticProbe p);
// Whether the CPU pushes an error code for `vector` (DF TS NP SS GP PF AC).
bool hasErrorCode(unsigned vector);
const char* probeName(unsigned vector);  // "Guest_PF"

// One IDT gate as this vCPU sees it now.
struct Gate {
  bool present = false;    // present 64-bit interrupt or trap gate
  uint64_t handler = 0;    // linear address of the handler
};

// The IDT of the vCPU (on its thread), at most 256 gates: empty when the
// guest has none or it cannot be read.
std::vector<Gate> readIdt(Vcpu& v);
// The other vector whose gate sends to the same handler as `vector`, or
// -1: a handler shared by two vectors cannot tell them apart.
int sharedWith(const std::vector<Gate>& idt, unsigned vector);

}  // namespace exc
}  // namespace vmm
