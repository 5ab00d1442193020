// VP 1.1 control flow: loops, bagforeach, break/continue/return, try.
// The order of tests, bodies and budget charges matches the interpreter.
#include <cstddef>

#include "vp/src/builtins.h"
#include "vp/src/jit/emitter.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

using namespace Xbyak::util;

void Emitter::genLoop(const Expr* e) {
  bool isFor = e->op == Op::For, isDo = e->op == Op::DoWhile;
  const Expr* test = e->kids[isFor ? 1 : 0];
  Xbyak::Label top, body, next, exit;
  if (isFor) gen(e->kids[0]);
  if (isDo) jmp(body);
  L(top);
  branch(test, exit, false);
  if (isDo) chargeLoop(e);
  L(body);
  pushScope({ScopeKind::Loop, &exit, isDo ? &top : &next});
  gen(e->kids.back());
  popScope();
  L(next);
  if (isFor) gen(e->kids[2]);
  if (!isDo) chargeLoop(e);
  jmp(top);
  L(exit);
}

void Emitter::genForeach(const Expr* e) {
  Xbyak::Label top, next, brk, done;
  mov(rdi, r15);
  mov(rsi, reinterpret_cast<uint64_t>(e));
  callHelper(reinterpret_cast<const void*>(&rt::foreachBegin));
  checkFailed();
  mov(intSlot(e->slot + 1), rax);  // count
  mov(qword[rsp + static_cast<int32_t>(8 * fn_->outArgs + 8 * e->slot)], 0);
  L(top);
  mov(rax, intSlot(e->slot));
  cmp(rax, intSlot(e->slot + 1));
  jae(done);
  mov(rdi, r15);
  mov(rsi, rax);
  callHelper(reinterpret_cast<const void*>(&rt::foreachKey));
  writeInt(e->var);
  mov(rdi, r15);
  mov(rsi, intSlot(e->slot));
  callHelper(reinterpret_cast<const void*>(&rt::foreachValue));
  writeInt(e->var2);
  pushScope({ScopeKind::Foreach, &done, &next});
  gen(e->kids[0]);
  popScope();
  L(next);
  add(intSlot(e->slot), 1);
  chargeLoop(e);
  jmp(top);
  L(done);
  mov(rdi, r15);
  callHelper(reinterpret_cast<const void*>(&rt::foreachEnd));
}

// Closes the scopes above `keep` (innermost first) on the way out of them:
// try frames are popped, bagforeach snapshots dropped.
void Emitter::leaveScopes(size_t keep) {
  int tries = 0;
  for (size_t i = scopes_.size(); i-- > keep;) {
    if (scopes_[i].kind == ScopeKind::Try) ++tries;
  }
  if (tries) sub(dword[r15 + offsetof(RtCtx, tryDepth)], tries);
  for (size_t i = scopes_.size(); i-- > keep;) {
    if (scopes_[i].kind == ScopeKind::Foreach) {
      mov(rdi, r15);
      callHelper(reinterpret_cast<const void*>(&rt::foreachEnd));
    }
  }
}

void Emitter::genJump(const Expr* e) {
  size_t loop = scopes_.size();
  while (loop-- > 0 && scopes_[loop].kind == ScopeKind::Try) {
  }
  // Scopes strictly inside the target loop are left; a bagforeach that is
  // the target ends itself at its own exit (break) or keeps going (continue).
  leaveScopes(loop + 1);
  jmp(e->op == Op::Break ? *scopes_[loop].breakTo : *scopes_[loop].continueTo);
}

void Emitter::genReturn(const Expr* e) {
  if (!e->kids.empty()) {
    gen(e->kids[0]);
  } else {
    xor_(eax, eax);
  }
  if (!scopes_.empty()) {
    // Leaving scopes may call helpers; rbx is callee-saved and otherwise
    // unused by compiled code (the trampoline saves it).
    mov(rbx, rax);
    leaveScopes(0);
    mov(rax, rbx);
  }
  jmp(*fnReturn_);
}

void Emitter::genTry(const Expr* e) {
  Xbyak::Label dispatch, end;
  mov(rdi, r15);
  mov(rsi, reinterpret_cast<uint64_t>(e));
  mov(rdx, rsp);
  mov(rcx, rbp);
  lea(r8, ptr[rip + dispatch]);
  callHelper(reinterpret_cast<const void*>(&rt::tryEnter));
  checkFailed();
  pushScope({ScopeKind::Try});
  gen(e->kids[0]);
  popScope();
  sub(dword[r15 + offsetof(RtCtx, tryDepth)], 1);
  jmp(end);
  // Resumed here by the raise stub, with this frame's rsp and rbp and the
  // try frame already popped.
  L(dispatch);
  for (size_t h = 0; h < e->catchMasks.size(); ++h) {
    Xbyak::Label next;
    mov(ecx, dword[r15 + offsetof(RtCtx, errCode)]);
    mov(eax, 1);
    shl(eax, cl);
    test(eax, e->catchMasks[h]);
    jz(next);
    gen(e->kids[h + 1]);
    jmp(end);
    L(next);
  }
  L(end);
}

}  // namespace vp
