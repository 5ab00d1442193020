// Looking at guest addresses the way a probe set needs to when it is
// planned or moved: on a vCPU's thread, through that vCPU's page tables,
// without touching accessed bits, reading the guest's own bytes (the
// originals, where an int3 of the monitor sits).
#pragma once

#include <cstdint>
#include <string>

#include "vmm-engine/page_walk.h"

namespace vmm {

class Vm;
class Vcpu;

struct GuestLookup {
  uint64_t gpa = 0;
  bool user = false;  // reachable from user mode (U at every level)
  uint64_t cr3 = 0;   // of the vCPU that looked
  uint8_t bytes[15] = {};
  size_t nbytes = 0;  // instruction bytes read (code lookups)
};

// On `v`'s thread. User mode is tried first, so a user page is known as
// one; `code` also reads up to 15 bytes of instruction.
bool lookOnVcpu(Vm& vm, Vcpu& v, uint64_t linear, AccessCheck::Kind kind, bool code,
                GuestLookup& out);

std::string hexAddr(uint64_t v);

}  // namespace vmm
