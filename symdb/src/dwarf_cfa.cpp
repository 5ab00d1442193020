// The call frame address (CFA) over each function's code, from the call
// frame information (.debug_frame, else .eh_frame). GCC's frame base is
// DW_OP_call_frame_cfa, so a stack variable (`fbreg -40`) is found only
// through the CFA rule at the probed address: RSP+8 at a function's entry,
// RSP+16 after `push rbp`, RBP+16 once the frame pointer is set.
#include <dwarf.h>

#include <cstdlib>

#include "symdb/src/dwarf_context.h"

namespace symdb::dwarf {
namespace {

// One rule per stretch of code the CFI describes, clipped to [low, high).
// A hostile table cannot loop: each step moves past the rule it read.
void cfaOver(Dwarf_CFI* cfi, uint64_t low, uint64_t high, std::vector<Location>& out) {
  for (uint64_t addr = low; addr < high && out.size() < 100000;) {
    Dwarf_Frame* frame = nullptr;
    if (dwarf_cfi_addrframe(cfi, addr, &frame) != 0) return;
    Dwarf_Addr start = 0, end = 0;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    bool ok = dwarf_frame_info(frame, &start, &end, nullptr) >= 0 && end > addr &&
              dwarf_frame_cfa(frame, &ops, &n) == 0;
    if (ok) out.push_back(decodeLocation(ops, n, addr, end < high ? end : high));
    free(frame);
    if (!ok) return;
    addr = end;
  }
}

}  // namespace

void readFrames(Dwarf* dw, Elf* elf, Database& db) {
  Dwarf_CFI* debugFrame = dwarf_getcfi(dw);    // owned by dw
  Dwarf_CFI* ehFrame = dwarf_getcfi_elf(elf);  // ours to end
  for (Function& f : db.functions) {
    for (const Range& r : f.ranges) {
      size_t before = f.cfa.size();
      if (debugFrame) cfaOver(debugFrame, r.low, r.high, f.cfa);
      if (f.cfa.size() == before && ehFrame) cfaOver(ehFrame, r.low, r.high, f.cfa);
    }
  }
  if (ehFrame) dwarf_cfi_end(ehFrame);
}

}  // namespace symdb::dwarf
