// Errors, built-in globals, time, strings, exit, unwinding.
#include <cstring>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

RtResult fail(RtCtx* c, ErrorCode code, const Expr* where, uint64_t arg) {
  c->errCode = static_cast<uint32_t>(code);
  c->errWhere = where;
  c->errArg = arg;
  return {0, 1};
}

RtResult global(RtCtx* c, const Expr* e) {
  const GlobalInfo& g = globalInfo(static_cast<Global>(e->index));
  unsigned bit = 1u << g.group;
  if (!(c->valid & bit)) {
    // The register cache is per fire: the host's registers change between
    // fires, so every fire fetches what it reads, once.
    if (!c->owner->target().fetch(static_cast<RegGroup>(g.group),
                                  &c->cache[kGroupBase[g.group]])) {
      return fail(c, ErrorCode::VcpuState, e, e->index);
    }
    c->valid |= bit;
  }
  return {c->cache[kGroupBase[g.group] + g.slot], 0};
}

RtResult tsc(RtCtx* c, const Expr*) {
  return {c->owner->target().tsc(), 0};
}

void setstr(char* dest, const char* src) {
  if (dest == src) return;
  size_t n = strnlen(src, kStrBytes - 1);
  std::memmove(dest, src, n);
  dest[n] = '\0';
}

RtResult getsystemtime(RtCtx* c, const Expr* e) {
  VP_CHARGE(c, e, BuiltinId::Getsystemtime);
  return {c->owner->target().systemTimeUs(), 0};
}

RtResult exit(RtCtx* c, const Expr* e) {
  return fail(c, ErrorCode::Exit, e);
}

RtResult tryEnter(RtCtx* c, const Expr* e, uint64_t rsp, uint64_t rbp, uint64_t handler) {
  if (c->tryDepth == kMaxTryDepth) return fail(c, ErrorCode::Stack, e);
  TryFrame& f = c->tries[c->tryDepth++];
  f.rsp = rsp;
  f.rbp = rbp;
  f.handler = handler;
  f.stackUsed = c->stackUsed;
  f.mask = 0;
  for (uint32_t m : e->catchMasks) f.mask |= m;
  f.foreachDepth = static_cast<uint32_t>(c->owner->foreach.size());
  return {0, 0};
}

TryFrame* unwind(RtCtx* c) {
  auto code = static_cast<ErrorCode>(c->errCode);
  if (code == ErrorCode::Exit) return nullptr;
  while (c->tryDepth > 0) {
    TryFrame* f = &c->tries[--c->tryDepth];
    if (!(f->mask & (1u << c->errCode))) continue;
    if (code == ErrorCode::Budget) {
      // One refill per fire, so a handler cannot loop forever either.
      if (c->budgetRefills) continue;
      c->budgetRefills = 1;
      c->budget = kFireBudget / 10;
    }
    c->stackUsed = f->stackUsed;
    c->owner->foreach.resize(f->foreachDepth);
    return f;
  }
  return nullptr;
}

}  // namespace vp::rt
