// Destructive built-ins (VP 1.3): setgpr, setguest, skipfunction, genmce.
// Each asks the firing thread's target for one GuestChange; only a vCPU
// can make one (the reference's "non-vcpu vmx threads" error elsewhere).
// The checker let them load only with fault injection on.
#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

namespace {

// Fails as reading `shown` would on a thread without a vCPU.
bool onVcpu(RtCtx* c, const Expr* e, Global shown, RtResult& r) {
  if (c->owner->isVcpu()) return true;
  r = fail(c, ErrorCode::VcpuState, e, static_cast<uint64_t>(shown));
  return false;
}

RtResult refuse(RtCtx* c, const Expr* e, std::string why) {
  c->owner->detail = builtinInfo(e->builtin).name;
  c->owner->detail += ": " + why;
  return fail(c, ErrorCode::VcpuState, e, kDetailArg);
}

RtResult apply(RtCtx* c, const Expr* e, GuestChange& change) {
  change.probe = c->probeName ? c->probeName : "";
  std::string why;
  switch (c->owner->target().change(change, why)) {
    case ChangeStatus::Done: break;
    case ChangeStatus::BadAddress: return fail(c, ErrorCode::MemAccess, e, change.addr);
    case ChangeStatus::Refused: return refuse(c, e, why);
  }
  // The registers this fire read before are stale now: read them again.
  c->valid &= ~(1u << unsigned(RegGroup::Gpr));
  return {1, 0};
}

}  // namespace

RtResult setgpr(RtCtx* c, const Expr* e, uint64_t value) {
  VP_CHARGE(c, e, BuiltinId::Setgpr);
  auto reg = static_cast<Global>(e->index);
  RtResult r;
  if (!onVcpu(c, e, reg, r)) return r;
  GuestChange change;
  change.kind = GuestChange::Kind::Register;
  change.reg = static_cast<unsigned>(globalInfo(reg).slot);
  change.value = value;
  return apply(c, e, change);
}

RtResult setguest(RtCtx* c, const Expr* e, uint64_t addr, uint64_t nbytes, uint64_t value) {
  VP_CHARGE(c, e, BuiltinId::Setguest);
  RtResult r;
  if (!onVcpu(c, e, Global::CR3, r)) return r;
  GuestChange change;
  change.kind = GuestChange::Kind::Memory;
  change.addr = addr;
  change.size = static_cast<unsigned>(nbytes);
  change.value = value;
  return apply(c, e, change);
}

RtResult skipfunction(RtCtx* c, const Expr* e, uint64_t value, uint64_t hasValue) {
  VP_CHARGE(c, e, BuiltinId::Skipfunction);
  RtResult r;
  if (!onVcpu(c, e, Global::RIP, r)) return r;
  if (!c->functionEntry) {
    return refuse(c, e, std::string("probe ") + (c->probeName ? c->probeName : "?") +
                            " is not at a function's entry (GUEST:symbol or GUEST:ENTER:)");
  }
  GuestChange change;
  change.kind = GuestChange::Kind::SkipFunction;
  change.value = value;
  change.hasValue = hasValue != 0;
  return apply(c, e, change);
}

RtResult genmce(RtCtx* c, const Expr* e, uint64_t status, uint64_t addr, uint64_t bank) {
  VP_CHARGE(c, e, BuiltinId::Genmce);
  RtResult r;
  if (!onVcpu(c, e, Global::RIP, r)) return r;
  GuestChange change;
  change.kind = GuestChange::Kind::MachineCheck;
  change.value = status;
  change.addr = addr;
  change.bank = bank > 255 ? 255 : static_cast<unsigned>(bank);
  return apply(c, e, change);
}

}  // namespace vp::rt
