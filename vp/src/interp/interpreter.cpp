#include "vp/src/interp/interpreter.h"

#include <cstring>

#include "vp/src/builtins.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

namespace {

// Raised when a fire must unwind; `target` is the try frame that catches
// it (chosen by rt::unwind, as in compiled code), or null.
struct Abort {
  TryFrame* target;
};

// break, continue and return leave whatever expression they are in, as
// compiled code jumps out of it.
enum class Flow { Break, Continue, Return };
struct FlowSignal {
  Flow kind;
};

// One activation: the frame's bytes (the layout pass's slots) and the
// caller's argument words.
struct Activation {
  const Function* fn;
  uint8_t* frame;
  const uint64_t* params;
  uint64_t retval = 0;
};

class Interp {
 public:
  Interp(const Program& p, ContextImpl& ctx)
      : p_(p), ctx_(ctx), c_(ctx.rt()), stack_(ctx.interpStack) {}

  bool runProbe(const Function& fn);

 private:
  uint64_t eval(const Expr* e);
  uint64_t binary(const Expr* e);
  uint64_t builtin(const Expr* e);
  uint64_t call(const Expr* e);
  uint64_t cond(const Expr* e);
  uint64_t sequence(const Expr* e);
  uint64_t loop(const Expr* e);
  bool loopBody(const Expr* body);
  uint64_t foreach(const Expr* e);
  uint64_t tryForm(const Expr* e);
  uint64_t invoke(const Function& fn, const uint64_t* args, char* dest);

  [[noreturn]] void raise() { throw Abort{rt::unwind(c_)}; }
  uint64_t check(RtResult r) {
    if (r.failed) raise();
    return r.value;
  }
  [[noreturn]] void raise(ErrorCode code, const Expr* e) {
    rt::fail(c_, code, e);
    raise();
  }

  uint64_t* intSlot(int32_t i) {
    return reinterpret_cast<uint64_t*>(act_->frame + 8 * act_->fn->outArgs + 8 * i);
  }
  char* strSlot(int32_t i) {
    return reinterpret_cast<char*>(act_->frame + 8 * act_->fn->outArgs +
                                   8 * act_->fn->intSlots + kStrBytes * i);
  }
  uint64_t* varAddr(const VarRef& v);
  uint64_t readVar(const VarRef& v);
  void writeInt(const VarRef& v, uint64_t value);
  char* strAddr(const VarRef& v) { return reinterpret_cast<char*>(readVar(v)); }

  const Program& p_;
  ContextImpl& ctx_;
  RtCtx* c_;
  Activation* act_ = nullptr;
  std::vector<uint8_t>& stack_;
  size_t stackTop_ = 0;
};

uint64_t* Interp::varAddr(const VarRef& v) {
  switch (v.where) {
    case VarRef::Where::Thread: return rtInts(c_) + v.index;
    case VarRef::Where::Param: return const_cast<uint64_t*>(act_->params + v.index);
    case VarRef::Where::Local: return intSlot(act_->fn->localSlot[v.index]);
    case VarRef::Where::Shared: break;
  }
  return nullptr;
}

uint64_t Interp::readVar(const VarRef& v) {
  if (v.where == VarRef::Where::Shared) {
    return ctx_.script().shared[v.index].load(std::memory_order_seq_cst);
  }
  if (v.type == Type::Str) {
    switch (v.where) {
      case VarRef::Where::Thread: return reinterpret_cast<uint64_t>(ctx_.strVar(v.index));
      case VarRef::Where::Local:
        return reinterpret_cast<uint64_t>(strSlot(act_->fn->localSlot[v.index]));
      default: break;  // a string parameter holds its string's address
    }
  }
  return *varAddr(v);
}

void Interp::writeInt(const VarRef& v, uint64_t value) {
  if (v.where == VarRef::Where::Shared) {
    ctx_.script().shared[v.index].store(value, std::memory_order_seq_cst);
    return;
  }
  *varAddr(v) = value;
}

uint64_t Interp::binary(const Expr* e) {
  uint64_t a = eval(e->kids[0]);
  uint64_t b = eval(e->kids[1]);
  switch (e->op) {
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: if (!b) raise(ErrorCode::Divide, e); return a / b;
    case Op::Mod: if (!b) raise(ErrorCode::Divide, e); return a % b;
    case Op::Shl: return b >= 64 ? 0 : a << b;
    case Op::Shr: return b >= 64 ? 0 : a >> b;
    case Op::BitAnd: return a & b;
    case Op::BitOr: return a | b;
    case Op::BitXor: return a ^ b;
    case Op::Eq: return a == b;
    case Op::Ne: return a != b;
    case Op::Lt: return a < b;
    case Op::Gt: return a > b;
    case Op::Le: return a <= b;
    case Op::Ge: return a >= b;
    default: return 0;
  }
}

uint64_t Interp::cond(const Expr* e) {
  for (size_t i = 0; i + 1 < e->kids.size(); i += 2) {
    if (eval(e->kids[i])) return eval(e->kids[i + 1]);
  }
  return e->type == Type::Str ? reinterpret_cast<uint64_t>("") : 0;
}

uint64_t Interp::sequence(const Expr* e) {
  uint64_t v = 0;
  for (const Expr* k : e->kids) v = eval(k);
  return v;
}

// Runs a loop body; false when it broke out of the loop.
bool Interp::loopBody(const Expr* body) {
  try {
    eval(body);
  } catch (const FlowSignal& f) {
    if (f.kind == Flow::Return) throw;
    return f.kind == Flow::Continue;
  }
  return true;
}

uint64_t Interp::loop(const Expr* e) {
  bool isFor = e->op == Op::For, isDo = e->op == Op::DoWhile;
  const Expr* test = e->kids[isFor ? 1 : 0];
  if (isFor) eval(e->kids[0]);
  if (isDo && !loopBody(e->kids.back())) return 0;
  // Every back edge pays the loop cost: test -> body in a do-while, end of
  // body (and step) -> test otherwise. Compiled loops do the same.
  for (;;) {
    if (!eval(test)) return 0;
    if (isDo && (c_->budget -= kLoopCost) < 0) raise(ErrorCode::Budget, e);
    if (!loopBody(e->kids.back())) return 0;
    if (isFor) eval(e->kids[2]);
    if (!isDo && (c_->budget -= kLoopCost) < 0) raise(ErrorCode::Budget, e);
  }
}

uint64_t Interp::foreach(const Expr* e) {
  uint64_t n = check(rt::foreachBegin(c_, e));
  try {
    for (uint64_t i = 0; i < n; ++i) {
      writeInt(e->var, rt::foreachKey(c_, i));
      writeInt(e->var2, rt::foreachValue(c_, i));
      if (!loopBody(e->kids[0])) break;
      if ((c_->budget -= kLoopCost) < 0) raise(ErrorCode::Budget, e);
    }
  } catch (const FlowSignal&) {
    rt::foreachEnd(c_);
    throw;
  }
  rt::foreachEnd(c_);
  return 0;
}

uint64_t Interp::tryForm(const Expr* e) {
  uint32_t depth = c_->tryDepth;
  check(rt::tryEnter(c_, e, 0, 0, 0));
  TryFrame& f = c_->tries[depth];
  Activation* act = act_;
  size_t top = stackTop_;
  try {
    uint64_t v = eval(e->kids[0]);
    c_->tryDepth = depth;
    return v;
  } catch (const FlowSignal&) {
    c_->tryDepth = depth;
    throw;
  } catch (const Abort& a) {
    if (a.target != &f) throw;
    act_ = act;
    stackTop_ = top;
    for (size_t h = 0; h < e->catchMasks.size(); ++h) {
      if (e->catchMasks[h] & (1u << c_->errCode)) return eval(e->kids[h + 1]);
    }
    return e->type == Type::Str ? reinterpret_cast<uint64_t>("") : 0;  // unreachable
  }
}

uint64_t Interp::builtin(const Expr* e) {
  uint64_t* a = intSlot(e->slot);
  for (size_t i = 0; i < e->kids.size(); ++i) a[i] = eval(e->kids[i]);
  auto str = [&](size_t i) { return reinterpret_cast<char*>(a[i]); };
  switch (e->builtin) {
    case BuiltinId::Logstr: return check(rt::logstr(c_, e, str(0)));
    case BuiltinId::Logint: return check(rt::logint(c_, e, a[0]));
    case BuiltinId::Printf: return check(rt::printf(c_, e, a));
    case BuiltinId::Sprintf: return check(rt::sprintf(c_, e, str(0), a + 1));
    case BuiltinId::Strcmp: return check(rt::strcmp(c_, e, str(0), str(1)));
    case BuiltinId::Getguest: return check(rt::getguest(c_, e, a[0], a[1]));
    case BuiltinId::Getgueststr: return check(rt::getgueststr(c_, e, str(0), a[1], a[2]));
    case BuiltinId::Gueststack: return check(rt::gueststack(c_, e, str(0), a[1]));
    case BuiltinId::Getguestphys: return check(rt::getguestphys(c_, e, a[0]));
    case BuiltinId::Getsystemtime: return check(rt::getsystemtime(c_, e));
    case BuiltinId::Exit: return check(rt::exit(c_, e));
    case BuiltinId::Offatret: return check(rt::offatret(c_, e, a[0]));
    case BuiltinId::Offatseg: return check(rt::offatseg(c_, e, a[0]));
    case BuiltinId::Offatstrcpy: return check(rt::offatstrcpy(c_, e, a[0], a[1]));
    case BuiltinId::Aggr: return check(rt::aggr(c_, e, a));
    case BuiltinId::Logaggr: return check(rt::logaggr(c_, e));
    case BuiltinId::Clearaggr: return check(rt::clearaggr(c_, e));
    case BuiltinId::Printa:
      return check(rt::printa(c_, e, e->kids.empty() ? nullptr : str(0)));
    case BuiltinId::Baginsert: return check(rt::baginsert(c_, e, a[0], a[1]));
    case BuiltinId::Bagput: return check(rt::bagput(c_, e, a[0], a[1]));
    case BuiltinId::Bagremove: return check(rt::bagremove(c_, e, a[0]));
    case BuiltinId::Fetchadd: return check(rt::fetchadd(c_, e, a[0]));
    case BuiltinId::Cmpxchg: return check(rt::cmpxchg(c_, e, a[0], a[1]));
    case BuiltinId::Writeint: return check(rt::writeint(c_, e, a[0], a[1]));
    case BuiltinId::Setgpr: return check(rt::setgpr(c_, e, a[0]));
    case BuiltinId::Setguest: return check(rt::setguest(c_, e, a[0], a[1], a[2]));
    case BuiltinId::Skipfunction: return check(rt::skipfunction(c_, e, a[0], a[1]));
    case BuiltinId::Genmce: return check(rt::genmce(c_, e, a[0], a[1], a[2]));
    case BuiltinId::Count: break;
  }
  return 0;
}

uint64_t Interp::invoke(const Function& fn, const uint64_t* args, char* dest) {
  if (stackTop_ + fn.frameBytes > stack_.size()) raise(ErrorCode::Stack, fn.body);
  Activation a{&fn, stack_.data() + stackTop_, args};
  stackTop_ += fn.frameBytes;
  Activation* caller = act_;
  act_ = &a;
  uint64_t v;
  try {
    v = eval(fn.body);
  } catch (const FlowSignal&) {  // the checker allows only return here
    v = a.retval;
  }
  if (dest) {
    rt::setstr(dest, reinterpret_cast<const char*>(v));
    v = reinterpret_cast<uint64_t>(dest);
  }
  act_ = caller;
  stackTop_ -= fn.frameBytes;
  return v;
}

uint64_t Interp::call(const Expr* e) {
  const Function& fn = p_.functions[e->index];
  uint64_t* args = intSlot(e->slot);
  for (size_t i = 0; i < e->kids.size(); ++i) {
    const Expr* a = e->kids[i];
    uint64_t v = eval(a);
    if (e->argStrSlots[i] >= 0) {
      char* copy = strSlot(e->argStrSlots[i]);
      rt::setstr(copy, reinterpret_cast<const char*>(v));
      v = reinterpret_cast<uint64_t>(copy);
    }
    args[i] = v;
  }
  // The cost model charges the call, then the callee's frame.
  if ((c_->budget -= kCallCost) < 0) raise(ErrorCode::Budget, e);
  c_->stackUsed += fn.frameBytes;
  if (c_->stackUsed > kStackBytes) raise(ErrorCode::Stack, e);
  char* dest = e->type == Type::Str ? strSlot(e->strSlot) : nullptr;
  uint64_t v = invoke(fn, args, dest);
  c_->stackUsed -= fn.frameBytes;
  return v;
}

uint64_t Interp::eval(const Expr* e) {
  switch (e->op) {
    case Op::IntConst: return e->imm;
    case Op::StrConst: return reinterpret_cast<uint64_t>(p_.strConsts[e->index].c_str());
    case Op::Var: return readVar(e->var);
    case Op::Global:
      if (e->index >= static_cast<uint32_t>(Global::ARG0) &&
          e->index <= static_cast<uint32_t>(Global::ARG9)) {
        return c_->args[e->index - static_cast<uint32_t>(Global::ARG0)];
      }
      if (e->index == static_cast<uint32_t>(Global::PROBENAME)) {
        return reinterpret_cast<uint64_t>(c_->probeName);
      }
      if (e->index == static_cast<uint32_t>(Global::TSC)) return check(rt::tsc(c_, e));
      return check(rt::global(c_, e));
    case Op::SetInt: {
      uint64_t v = eval(e->kids[0]);
      writeInt(e->var, v);
      return v;
    }
    case Op::SetStr: {
      uint64_t v = eval(e->kids[0]);
      char* dest = strAddr(e->var);
      rt::setstr(dest, reinterpret_cast<const char*>(v));
      return reinterpret_cast<uint64_t>(dest);
    }
    case Op::Neg: return 0 - eval(e->kids[0]);
    case Op::BitNot: return ~eval(e->kids[0]);
    case Op::Not: return eval(e->kids[0]) == 0;
    case Op::LogAnd: return eval(e->kids[0]) && eval(e->kids[1]);
    case Op::LogOr: return eval(e->kids[0]) || eval(e->kids[1]);
    case Op::Cond: return cond(e);
    case Op::Do: case Op::Let: return sequence(e);
    case Op::Call: return call(e);
    case Op::Builtin: return builtin(e);
    case Op::While: case Op::DoWhile: case Op::For: return loop(e);
    case Op::Break: throw FlowSignal{Flow::Break};
    case Op::Continue: throw FlowSignal{Flow::Continue};
    case Op::Return:
      act_->retval = e->kids.empty() ? 0 : eval(e->kids[0]);
      throw FlowSignal{Flow::Return};
    case Op::Try: return tryForm(e);
    case Op::BagForeach: return foreach(e);
    default: return binary(e);
  }
}

bool Interp::runProbe(const Function& fn) {
  if (stack_.size() < kStackBytes) stack_.resize(kStackBytes);
  try {
    c_->stackUsed = fn.frameBytes;
    if (c_->stackUsed > kStackBytes) raise(ErrorCode::Stack, fn.body);
    invoke(fn, nullptr, nullptr);
    return true;
  } catch (const Abort&) {
    return false;
  }
}

}  // namespace

bool interpretProbe(const Program& p, const Function& fn, ContextImpl& ctx) {
  Interp in(p, ctx);
  return in.runProbe(fn);
}

}  // namespace vp
