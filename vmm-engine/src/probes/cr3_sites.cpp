#include "vmm-engine/src/probes/cr3_sites.h"

#include <Zydis/Zydis.h>

#include <algorithm>

#include "vmm-engine/vcpu.h"

namespace vmm {
namespace {

constexpr uint64_t kPage = 4096;
// Ranges are cut at every symbol; a longer one is not a kernel function
// (nor worth the time it would take to decode).
constexpr uint64_t kMaxRange = 16ull << 20;

// 0F 22 /r with ModRM.reg 3 (REX.R clear): mov cr3, r64.
bool isMovToCr3(const ZydisDecodedInstruction& in) {
  return in.mnemonic == ZYDIS_MNEMONIC_MOV && in.opcode_map == ZYDIS_OPCODE_MAP_0F &&
         in.opcode == 0x22 && in.raw.modrm.reg == 3 && !in.raw.rex.R;
}

struct Scanner {
  Vcpu& v;
  const ZydisDecoder& dec;
  Cr3Scan& out;
  // The page of the range being decoded, and the one after it (an
  // instruction may cross into it).
  uint8_t buf[2 * kPage];
  uint64_t bufAt = 0;
  size_t bufLen = 0;

  bool load(uint64_t at) {
    bufAt = at & ~(kPage - 1);
    bufLen = 0;
    if (!v.readLinear(bufAt, buf, kPage)) return false;
    bufLen = v.readLinear(bufAt + kPage, buf + kPage, kPage) ? 2 * kPage : kPage;
    return true;
  }

  void range(const CodeRange& r) {
    uint64_t end = std::min(r.end, r.start + kMaxRange);
    for (uint64_t at = r.start; at < end;) {
      if (at < bufAt || at - bufAt >= kPage) {
        if (!load(at)) {
          ++out.unmapped;
          return;
        }
      }
      size_t off = size_t(at - bufAt);
      size_t avail = std::min<uint64_t>(bufLen - off, end - at);
      ZydisDecodedInstruction in;
      if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, nullptr, buf + off, avail, &in))) {
        ++out.undecodable;
        return;
      }
      if (isMovToCr3(in)) out.sites.push_back(at);
      at += in.length;
      out.bytes += in.length;
    }
  }
};

}  // namespace

Cr3Scan findCr3Writes(Vcpu& v, const std::vector<CodeRange>& code) {
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  Cr3Scan out;
  Scanner s{v, dec, out, {}, 0, 0};
  for (const CodeRange& r : code) s.range(r);
  return out;
}

}  // namespace vmm
