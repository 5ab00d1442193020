#include "vmm-engine/src/probes/segment_loader.h"

#include "vmm-engine/vcpu.h"

namespace vmm {

bool loadSegment(Vcpu& v, uint16_t selector, Segment& out) {
  const SpecialRegs* s = v.sregs();
  if (!s || (selector & 4) || (selector & ~7u) == 0) return false;
  uint64_t off = selector & ~7u;
  if (off + 7 > s->gdtrLimit) return false;
  uint64_t d;
  if (!v.readLinear(s->gdtrBase + off, &d, 8)) return false;
  // Intel SDM vol. 3, "Segment Descriptors".
  uint32_t limit = uint32_t(d & 0xffff) | uint32_t((d >> 32) & 0xf0000);
  uint64_t base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
  uint32_t access = uint32_t(d >> 40) & 0xff;  // type, S, DPL, P
  uint32_t flags = uint32_t(d >> 52) & 0xf;    // AVL, L, D/B, G
  if (!(access & 0x80)) return false;
  out.selector = selector;
  out.base = base;
  out.limit = (flags & 8) ? (limit << 12) | 0xfff : limit;
  out.ar = access | (flags << 12);  // the VMX access-rights layout
  return true;
}

bool isUserCode64(const Segment& s) {
  bool code = (s.ar & ar::kS) && (s.ar & 8);
  return code && ((s.ar >> ar::kDplShift) & 3) == 3 && (s.ar & ar::kL) &&
         (s.selector & 3) == 3;
}

bool isUserStack(const Segment& s) {
  bool writableData = (s.ar & ar::kS) && !(s.ar & 8) && (s.ar & 2);
  return writableData && ((s.ar >> ar::kDplShift) & 3) == 3 && (s.selector & 3) == 3;
}

}  // namespace vmm
