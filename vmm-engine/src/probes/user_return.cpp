#include "vmm-engine/src/probes/user_return.h"

#include "vmm-engine/src/probes/exception_vectors.h"
#include "vmm-engine/src/probes/guest_lookup.h"
#include "vmm-engine/src/probes/segment_loader.h"
#include "vmm-engine/vcpu.h"

namespace vmm {
namespace {
// The RFLAGS bits iretq loads (reserved bits read as their fixed values).
constexpr uint64_t kRflagsLoadable = 0x3d7fd5;
}  // namespace

bool userStateAtTrap(Vcpu& v, unsigned vector, const Gprs& regs, const SpecialRegs& s,
                     UserReturn& out, std::string& problem) {
  uint64_t frame[6];
  bool gp = vector == exc::kGeneralProtection;
  if (!v.readLinear(regs.rsp, frame, gp ? 48 : 40)) return false;
  // A user-mode hlt: #GP(0), RIP at the hlt (a fault). An int3: #BP, RIP
  // after it (a trap).
  if (gp && frame[0] != 0) return false;
  const uint64_t* f = gp ? frame + 1 : frame;
  if ((f[1] & 3) != 3) return false;
  out.stop = gp ? f[0] : f[0] - 1;
  out.view.gprs = regs;
  out.view.gprs.rip = out.stop;
  out.view.gprs.rflags = (f[2] & kRflagsLoadable) | 2;
  out.view.gprs.rsp = f[3];
  if (!loadSegment(v, uint16_t(f[1]), out.view.cs) || !isUserCode64(out.view.cs) ||
      !loadSegment(v, uint16_t(f[4]), out.view.ss) || !isUserStack(out.view.ss)) {
    problem = "a user-mode int3 at " + hexAddr(out.stop) +
              " came from segments the monitor cannot return to (CS " + hexAddr(f[1]) +
              ", SS " + hexAddr(f[4]) + ")";
    return false;
  }
  out.sregs = s;
  out.sregs.cs = out.view.cs;
  out.sregs.ss = out.view.ss;
  return true;
}

void returnToUser(Vcpu& v, const UserReturn& u, const Gprs& gprs) {
  v.setSregs(u.sregs);
  v.setGprs(gprs);
}

}  // namespace vmm
