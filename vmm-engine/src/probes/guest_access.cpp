#include "vmm-engine/src/probes/guest_access.h"

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {
constexpr uint64_t kPage = 4096;
}  // namespace

GuestAccess::GuestAccess(GuestProbes& probes, Vm& vm, Vcpu& v, const SpecialRegs& s,
                         unsigned cpl, bool rflagsAc)
    : probes_(probes), vm_(vm), v_(v), ps_{s.cr0, s.cr3, s.cr4, s.efer}, cpl_(cpl),
      ac_(rflagsAc) {}

EmuStatus GuestAccess::translate(uint64_t linear, size_t len, AccessCheck::Kind kind,
                                 uint64_t gpa[2], size_t& firstLen, EmuFault& fault) {
  firstLen = std::min<uint64_t>(len, kPage - linear % kPage);
  AccessCheck a{kind, cpl_, ac_, true};
  for (int part = 0; part < 2; ++part) {
    if (part == 1 && firstLen == len) break;
    uint64_t at = part == 0 ? linear : linear + firstLen;
    uint32_t err = 0;
    switch (checkedTranslate(vm_.memory(), ps_, at, a, gpa[part], err)) {
      case WalkStatus::Ok: break;
      case WalkStatus::Fault: fault = {14, true, err, at}; return EmuStatus::Fault;
      case WalkStatus::NotInRam: return EmuStatus::Unsupported;
    }
  }
  return EmuStatus::Ok;
}

EmuStatus GuestAccess::read(uint64_t linear, void* out, size_t len, EmuFault& fault) {
  uint64_t gpa[2];
  size_t first;
  EmuStatus st = translate(linear, len, AccessCheck::Read, gpa, first, fault);
  if (st != EmuStatus::Ok) return st;
  auto* bytes = static_cast<uint8_t*>(out);
  if (!probes_.readPhys(v_, gpa[0], bytes, first)) return EmuStatus::Unsupported;
  if (first < len && !probes_.readPhys(v_, gpa[1], bytes + first, len - first))
    return EmuStatus::Unsupported;
  return EmuStatus::Ok;
}

EmuStatus GuestAccess::write(uint64_t linear, const void* in, size_t len, EmuFault& fault) {
  uint64_t gpa[2];
  size_t first;
  EmuStatus st = translate(linear, len, AccessCheck::Write, gpa, first, fault);
  if (st != EmuStatus::Ok) return st;
  if (!vm_.memory().contains(gpa[0], first) ||
      (first < len && !vm_.memory().contains(gpa[1], len - first)))
    return EmuStatus::Unsupported;
  auto* bytes = static_cast<const uint8_t*>(in);
  probes_.writePhys(v_, gpa[0], bytes, first);
  if (first < len) probes_.writePhys(v_, gpa[1], bytes + first, len - first);
  return EmuStatus::Ok;
}

}  // namespace vmm
