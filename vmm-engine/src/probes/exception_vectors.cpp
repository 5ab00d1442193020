#include "vmm-engine/src/probes/exception_vectors.h"

#include <algorithm>
#include <cstring>

#include "vmm-engine/vcpu.h"

namespace vmm::exc {
namespace {

using SP = vp::StaticProbe;

struct Entry {
  SP probe;
  unsigned vector;
  const char* name;
};
constexpr Entry kTable[] = {
    {SP::Guest_DE, 0, "Guest_DE"},  {SP::Guest_DB, 1, "Guest_DB"},
    {SP::Guest_NMI, 2, "Guest_NMI"}, {SP::Guest_BP, 3, "Guest_BP"},
    {SP::Guest_OF, 4, "Guest_OF"},  {SP::Guest_BR, 5, "Guest_BR"},
    {SP::Guest_UD, 6, "Guest_UD"},  {SP::Guest_NM, 7, "Guest_NM"},
    {SP::Guest_DF, 8, "Guest_DF"},  {SP::Guest_TS, 10, "Guest_TS"},
    {SP::Guest_NP, 11, "Guest_NP"}, {SP::Guest_SS, 12, "Guest_SS"},
    {SP::Guest_GP, 13, "Guest_GP"}, {SP::Guest_PF, 14, "Guest_PF"},
    {SP::Guest_RESERVED_FAULT, 15, "Guest_RESERVED_FAULT"},
    {SP::Guest_MF, 16, "Guest_MF"}, {SP::Guest_AC, 17, "Guest_AC"},
    {SP::Guest_MC, 18, "Guest_MC"}, {SP::Guest_XF, 19, "Guest_XF"},
};

}  // namespace

std::optional<unsigned> vectorOf(SP p) {
  for (const Entry& e : kTable)
    if (e.probe == p) return e.vector;
  return std::nullopt;
}

bool hasErrorCode(unsigned v) {
  return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

const char* probeName(unsigned vector) {
  for (const Entry& e : kTable)
    if (e.vector == vector) return e.name;
  return "Guest_?";
}

std::vector<Gate> readIdt(Vcpu& v) {
  std::vector<Gate> gates;
  const SpecialRegs* s = v.sregs();
  if (!s) return gates;
  unsigned n = std::min(256u, (unsigned(s->idtrLimit) + 1) / 16);
  std::vector<uint8_t> raw(16 * size_t(n));
  if (n == 0 || !v.readLinear(s->idtrBase, raw.data(), raw.size())) return gates;
  for (unsigned i = 0; i < n; ++i) {
    // A 64-bit gate (Intel SDM vol. 3, "64-Bit Mode IDT"): offset 15:0,
    // selector, IST, type/DPL/P, offset 31:16, offset 63:32, reserved.
    const uint8_t* g = raw.data() + 16 * i;
    uint16_t lo, mid;
    uint32_t hi;
    memcpy(&lo, g, 2), memcpy(&mid, g + 6, 2), memcpy(&hi, g + 8, 4);
    unsigned type = g[5] & 0xf;
    Gate gate;
    gate.present = (g[5] & 0x80) && (type == 0xe || type == 0xf);
    gate.handler = uint64_t(lo) | (uint64_t(mid) << 16) | (uint64_t(hi) << 32);
    gates.push_back(gate);
  }
  return gates;
}

int sharedWith(const std::vector<Gate>& idt, unsigned vector) {
  if (vector >= idt.size() || !idt[vector].present) return -1;
  for (unsigned o = 0; o < idt.size(); ++o)
    if (o != vector && idt[o].present && idt[o].handler == idt[vector].handler) return int(o);
  return -1;
}

}  // namespace vmm::exc
