#include "vmm-engine/vcpu_target.h"

#include <sched.h>
#include <unistd.h>

#include <cstring>

#include "vmm-engine/host_clock.h"
#include "vmm-engine/vm.h"

namespace vmm {

namespace {

// The Sreg group of vp/globals.h: 8 segments of (selector, AR, base,
// limit), then GDTR, IDTR, control registers, EFER, APIC base.
void fillSregs(const SpecialRegs& s, uint64_t* out) {
  const Segment* segs[] = {&s.cs, &s.ss, &s.ds, &s.es, &s.fs, &s.gs, &s.tr, &s.ldtr};
  for (const Segment* seg : segs) {
    *out++ = seg->selector;
    *out++ = seg->ar;
    *out++ = seg->base;
    *out++ = seg->limit;
  }
  const uint64_t rest[] = {s.gdtrBase, s.gdtrLimit, s.idtrBase, s.idtrLimit, s.cr0, s.cr2,
                           s.cr3,      s.cr4,       s.cr8,      s.efer,      s.apicBase};
  std::memcpy(out, rest, sizeof rest);
}

}  // namespace

void fillHostGroup(uint64_t* out, unsigned numVcpus) {
  int cpu = sched_getcpu();
  out[0] = tscHz();
  out[1] = cpu < 0 ? 0 : uint64_t(cpu);
  out[2] = uint64_t(gettid());
  out[3] = numVcpus;
  out[4] = 0;  // BRCNT: no record/replay here
}

bool VcpuTarget::fetch(vp::RegGroup group, uint64_t* out) {
  switch (group) {
    case vp::RegGroup::Gpr: {
      const Gprs* g = view_ ? &view_->gprs : vcpu_.gprs();
      if (!g) return false;
      static_assert(sizeof(Gprs) == 18 * 8, "Gprs is the VP Gpr group");
      std::memcpy(out, g, sizeof *g);
      return true;
    }
    case vp::RegGroup::Sreg: {
      const SpecialRegs* s = vcpu_.sregs();
      if (!s) return false;
      if (!view_) {
        fillSregs(*s, out);
        return true;
      }
      SpecialRegs shown = *s;
      shown.cs = view_->cs, shown.ss = view_->ss;
      fillSregs(shown, out);
      return true;
    }
    case vp::RegGroup::Debug: {
      const DebugRegs* d = vcpu_.debugRegs();
      if (!d) return false;
      out[0] = d->dr6;
      out[1] = d->dr7;
      return true;
    }
    case vp::RegGroup::Msr: {
      const uint64_t* kgs = vcpu_.kernelGsBase();
      if (!kgs) return false;
      out[0] = *kgs;
      return true;
    }
    case vp::RegGroup::Exit:
      std::memcpy(out, &vcpu_.exitFields(), sizeof(ExitFields));
      return true;
    case vp::RegGroup::Misc: {
      const bool* smm = vcpu_.inSmm();
      out[0] = smm && *smm;
      out[1] = vcpu_.index();
      return true;
    }
    case vp::RegGroup::Host:
      fillHostGroup(out, numVcpus_);
      return true;
    default:
      return false;
  }
}

bool VcpuTarget::readLinear(uint64_t addr, void* buf, size_t len) {
  return vcpu_.readLinear(addr, buf, len);
}

bool VcpuTarget::readPhysical(uint64_t addr, void* buf, size_t len) {
  return vcpu_.vm().memory().read(addr, buf, len);
}

uint64_t VcpuTarget::tsc() { return readTsc(); }

uint64_t VcpuTarget::systemTimeUs() { return hostTimeUs(); }

}  // namespace vmm
