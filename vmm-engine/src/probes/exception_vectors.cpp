#include "vmm-engine/src/probes/exception_vectors.h"

#include <algorithm>
#include <cstring>

#include "vmm-engine/vcpu.h"

namespace vmm::exc {

// The vectors are the Exception rows of VP_STATIC_PROBES (vp/probe_point.h).
std::optional<unsigned> vectorOf(vp::StaticProbe p) {
  const vp::StaticProbeInfo& info = vp::staticProbeInfo(p);
  if (info.source != vp::Source::Exception) return std::nullopt;
  return unsigned(info.param);
}

bool hasErrorCode(unsigned v) {
  return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

const char* probeName(unsigned vector) {
  for (size_t i = 0; i < size_t(vp::StaticProbe::Count); ++i) {
    const vp::StaticProbeInfo& info = vp::staticProbeInfo(vp::StaticProbe(i));
    // The names are the table's string literals, so data() ends in a NUL.
    if (info.source == vp::Source::Exception && info.param == vector) return info.name.data();
  }
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
