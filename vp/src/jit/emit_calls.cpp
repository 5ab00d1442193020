// Calls: built-in functions (through the runtime helpers) and user
// functions (direct calls with the frame layout of layout.h).
#include <cstddef>

#include "vp/src/builtins.h"
#include "vp/src/jit/emitter.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

using namespace Xbyak::util;

namespace {

// How a helper takes the built-in's arguments after (ctx, expr): each entry
// is the argument slot to pass by value, or to pass the address of (an
// array of arguments), in rdx, rcx, r8 order; -1 ends the list.
struct Marshal {
  const void* fn;
  int8_t slot[3];
  bool byAddress[3];
};

template <typename F>
const void* fnp(F f) { return reinterpret_cast<const void*>(f); }

Marshal marshalOf(const Expr* e) {
  switch (e->builtin) {
    case BuiltinId::Logstr: return {fnp(&rt::logstr), {0, -1, -1}, {}};
    case BuiltinId::Logint: return {fnp(&rt::logint), {0, -1, -1}, {}};
    case BuiltinId::Printf: return {fnp(&rt::printf), {0, -1, -1}, {true}};
    case BuiltinId::Sprintf: return {fnp(&rt::sprintf), {0, 1, -1}, {false, true}};
    case BuiltinId::Strcmp: return {fnp(&rt::strcmp), {0, 1, -1}, {}};
    case BuiltinId::Getguest: return {fnp(&rt::getguest), {0, 1, -1}, {}};
    case BuiltinId::Getgueststr: return {fnp(&rt::getgueststr), {0, 1, 2}, {}};
    case BuiltinId::Gueststack: return {fnp(&rt::gueststack), {0, 1, -1}, {}};
    case BuiltinId::Getguestphys: return {fnp(&rt::getguestphys), {0, -1, -1}, {}};
    case BuiltinId::Getsystemtime: return {fnp(&rt::getsystemtime), {-1, -1, -1}, {}};
    case BuiltinId::Exit: return {fnp(&rt::exit), {-1, -1, -1}, {}};
    case BuiltinId::Offatret: return {fnp(&rt::offatret), {0, -1, -1}, {}};
    case BuiltinId::Offatseg: return {fnp(&rt::offatseg), {0, -1, -1}, {}};
    case BuiltinId::Offatstrcpy: return {fnp(&rt::offatstrcpy), {0, 1, -1}, {}};
    case BuiltinId::Aggr: return {fnp(&rt::aggr), {0, -1, -1}, {true}};
    case BuiltinId::Logaggr: return {fnp(&rt::logaggr), {-1, -1, -1}, {}};
    case BuiltinId::Clearaggr: return {fnp(&rt::clearaggr), {-1, -1, -1}, {}};
    case BuiltinId::Printa:
      return {fnp(&rt::printa), {static_cast<int8_t>(e->kids.empty() ? -2 : 0), -1, -1}, {}};
    case BuiltinId::Baginsert: return {fnp(&rt::baginsert), {0, 1, -1}, {}};
    case BuiltinId::Bagremove: return {fnp(&rt::bagremove), {0, -1, -1}, {}};
    case BuiltinId::Bagput: return {fnp(&rt::bagput), {0, 1, -1}, {}};
    case BuiltinId::Fetchadd: return {fnp(&rt::fetchadd), {0, -1, -1}, {}};
    case BuiltinId::Cmpxchg: return {fnp(&rt::cmpxchg), {0, 1, -1}, {}};
    case BuiltinId::Writeint: return {fnp(&rt::writeint), {0, 1, -1}, {}};
    case BuiltinId::Setgpr: return {fnp(&rt::setgpr), {0, -1, -1}, {}};
    case BuiltinId::Setguest: return {fnp(&rt::setguest), {0, 1, 2}, {}};
    case BuiltinId::Skipfunction: return {fnp(&rt::skipfunction), {0, 1, -1}, {}};
    case BuiltinId::Genmce: return {fnp(&rt::genmce), {0, 1, 2}, {}};
    case BuiltinId::Count: break;
  }
  return {nullptr, {-1, -1, -1}, {}};
}

}  // namespace

void Emitter::genBuiltin(const Expr* e) {
  for (size_t i = 0; i < e->kids.size(); ++i) {
    gen(e->kids[i]);
    mov(intSlot(e->slot + static_cast<int32_t>(i)), rax);
  }
  Marshal m = marshalOf(e);
  const Xbyak::Reg64 regs[3] = {rdx, rcx, r8};
  for (int i = 0; i < 3; ++i) {
    int8_t s = m.slot[i];
    if (s == -1) break;
    if (s == -2) {  // an absent optional argument
      xor_(regs[i].cvt32(), regs[i].cvt32());
    } else if (m.byAddress[i]) {
      lea(regs[i], intSlot(e->slot + s));
    } else {
      mov(regs[i], intSlot(e->slot + s));
    }
  }
  mov(rdi, r15);
  mov(rsi, reinterpret_cast<uint64_t>(e));
  callHelper(m.fn);
  checkFailed();
}

void Emitter::genCall(const Expr* e) {
  const Function& callee = p_.functions[e->index];
  size_t n = e->kids.size();
  for (size_t i = 0; i < n; ++i) {
    gen(e->kids[i]);
    if (e->argStrSlots[i] >= 0) {
      // A string argument that is not a variable goes in a copy the callee
      // may overwrite (string parameters are references).
      mov(rsi, rax);
      lea(rdi, strSlotPtr(e->argStrSlots[i]));
      callHelper(reinterpret_cast<const void*>(&rt::setstr));
      lea(rax, strSlotPtr(e->argStrSlots[i]));
    }
    mov(intSlot(e->slot + static_cast<int32_t>(i)), rax);
  }
  // The cost model charges the call, then the callee's frame.
  sub(field(offsetof(RtCtx, budget)), static_cast<int32_t>(kCallCost));
  js(errorAt(ErrorCode::Budget, e));
  mov(rax, field(offsetof(RtCtx, stackUsed)));
  add(rax, callee.frameBytes);
  cmp(rax, static_cast<uint32_t>(kStackBytes));
  ja(errorAt(ErrorCode::Stack, e));
  mov(field(offsetof(RtCtx, stackUsed)), rax);
  for (size_t i = 0; i < n; ++i) {
    mov(rax, intSlot(e->slot + static_cast<int32_t>(i)));
    mov(qword[rsp + static_cast<int32_t>(8 * i)], rax);
  }
  if (e->type == vp::Type::Str) {
    lea(rax, strSlotPtr(e->strSlot));
    mov(qword[rsp + static_cast<int32_t>(8 * n)], rax);
  }
  call(fnLabels_[e->index]);
  sub(field(offsetof(RtCtx, stackUsed)), static_cast<int32_t>(callee.frameBytes));
}

}  // namespace vp
