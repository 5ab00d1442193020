#include "vmm-engine/src/probes/guest_lookup.h"

#include <cstdio>

#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint64_t kPage = 4096;

bool look(Vm& vm, const SpecialRegs& s, uint64_t linear, AccessCheck::Kind kind, unsigned cpl,
          uint64_t& gpa) {
  uint32_t err;
  PagingState ps{s.cr0, s.cr3, s.cr4, s.efer};
  AccessCheck a{kind, cpl, true, false};
  return checkedTranslate(vm.memory(), ps, linear, a, gpa, err) == WalkStatus::Ok;
}

}  // namespace

std::string hexAddr(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

bool lookOnVcpu(Vm& vm, Vcpu& v, uint64_t linear, AccessCheck::Kind kind, bool code,
                GuestLookup& f) {
  const SpecialRegs* s = v.sregs();
  if (!s) return false;
  f.cr3 = s->cr3;
  f.user = look(vm, *s, linear, kind, 3, f.gpa);
  if (!f.user && !look(vm, *s, linear, kind, 0, f.gpa)) return false;
  if (!code) return true;
  uint64_t inPage = kPage - (linear % kPage), gpa2;
  size_t first = inPage < sizeof f.bytes ? inPage : sizeof f.bytes;
  if (!vm.breakpoints().readOriginal(f.gpa, f.bytes, first)) return false;
  f.nbytes = first;
  // An instruction may continue on the next page, mapped anywhere.
  if (first < sizeof f.bytes && look(vm, *s, linear + first, kind, f.user ? 3 : 0, gpa2) &&
      vm.breakpoints().readOriginal(gpa2, f.bytes + first, sizeof f.bytes - first))
    f.nbytes = sizeof f.bytes;
  return true;
}

}  // namespace vmm
