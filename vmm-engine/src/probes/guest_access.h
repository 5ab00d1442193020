// Guest memory as an instruction the monitor emulates for a vCPU sees it
// (insn_emulator.h's EmuMemory): linear addresses through that vCPU's page
// tables with the CPU's permission checks and accessed/dirty updates
// (checkedTranslate), a page fault where the CPU would give one, and the
// physical access through the probe set, so that planted int3s keep their
// originals and data probes see the access.
#pragma once

#include "vmm-engine/insn_emulator.h"
#include "vmm-engine/page_walk.h"

namespace vmm {

class GuestProbes;
class Vm;
class Vcpu;

class GuestAccess : public EmuMemory {
 public:
  GuestAccess(GuestProbes& probes, Vm& vm, Vcpu& v, const SpecialRegs& s, unsigned cpl,
              bool rflagsAc);
  EmuStatus read(uint64_t linear, void* out, size_t len, EmuFault& fault) override;
  EmuStatus write(uint64_t linear, const void* in, size_t len, EmuFault& fault) override;

 private:
  // Translates every page of [linear, linear+len) before anything is
  // accessed; at most two pages (accesses are 8 bytes at most).
  EmuStatus translate(uint64_t linear, size_t len, AccessCheck::Kind kind, uint64_t gpa[2],
                      size_t& firstLen, EmuFault& fault);

  GuestProbes& probes_;
  Vm& vm_;
  Vcpu& v_;
  PagingState ps_;
  unsigned cpl_;
  bool ac_;
};

}  // namespace vmm
