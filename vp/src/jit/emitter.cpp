#include "vp/src/jit/emitter.h"

#include <cstddef>

#include "vp/src/builtins.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

using namespace Xbyak::util;

Emitter::Emitter(const Program& p, std::atomic<uint64_t>* shared, size_t maxBytes)
    : Xbyak::CodeGenerator(maxBytes, Xbyak::DontSetProtectRWE),
      p_(p),
      shared_(shared) {
  setDefaultJmpNEAR(true);
}

void Emitter::compileAll() {
  fnLabels_.resize(p_.functions.size());
  probeLabels_.resize(p_.probes.size());
  trampoline();
  raiseStub();
  for (size_t i = 0; i < p_.functions.size(); ++i) {
    size_t before = getSize();
    function(i);
    functionSizes.push_back(getSize() - before);
  }
  for (size_t i = 0; i < p_.probes.size(); ++i) {
    probeLabels_[i] = fnLabels_[p_.probes[i].function];
  }
}

// uint64_t entry(RtCtx* ctx, const void* probe): saves the callee-saved
// registers compiled code uses (rbx, rbp, r15), keeps its stack pointer in
// ctx->abortRsp for the raise stub, and calls the probe body. Returns 0, or
// 1 from raiseStub.
void Emitter::trampoline() {
  L(entry_);
  push(rbx);
  push(rbp);
  push(r15);  // with the return address: rsp is 16-byte aligned again
  mov(r15, rdi);
  mov(field(offsetof(RtCtx, abortRsp)), rsp);
  call(rsi);
  xor_(eax, eax);
  Xbyak::Label out;
  L(out);
  pop(r15);
  pop(rbp);
  pop(rbx);
  ret();
  // Reached from raiseStub when no try frame catches the error.
  L(ret_);
  mov(rsp, field(offsetof(RtCtx, abortRsp)));
  mov(eax, 1);
  jmp(out);
}

// Jumped to (never called) with an aligned stack and ctx->errCode set.
void Emitter::raiseStub() {
  L(raise_);
  mov(rdi, r15);
  callHelper(reinterpret_cast<const void*>(&rt::unwind));
  test(rax, rax);
  jz(ret_);
  mov(rsp, qword[rax + offsetof(TryFrame, rsp)]);
  mov(rbp, qword[rax + offsetof(TryFrame, rbp)]);
  jmp(qword[rax + offsetof(TryFrame, handler)]);
}

void Emitter::callHelper(const void* fn) {
  mov(rax, reinterpret_cast<uint64_t>(fn));
  call(rax);
}

void Emitter::checkFailed() {
  test(rdx, rdx);
  jnz(raise_);
}

Xbyak::Label& Emitter::errorAt(ErrorCode code, const Expr* e) {
  coldLabels_.push_back(std::make_unique<Xbyak::Label>());
  Xbyak::Label* label = coldLabels_.back().get();
  cold_.push_back([this, label, code, e] {
    L(*label);
    mov(dword[r15 + offsetof(RtCtx, errCode)], static_cast<uint32_t>(code));
    mov(rax, reinterpret_cast<uint64_t>(e));
    mov(field(offsetof(RtCtx, errWhere)), rax);
    jmp(raise_);
  });
  return *label;
}

void Emitter::chargeLoop(const Expr* e) {
  sub(field(offsetof(RtCtx, budget)), static_cast<int32_t>(kLoopCost));
  js(errorAt(ErrorCode::Budget, e));
}

Xbyak::Address Emitter::intSlot(int32_t i) {
  return qword[rsp + static_cast<int32_t>(8 * fn_->outArgs + 8 * i)];
}

Xbyak::Address Emitter::strSlotPtr(int32_t i) {
  return ptr[rsp + static_cast<int32_t>(8 * fn_->outArgs + 8 * fn_->intSlots + kStrBytes * i)];
}

void Emitter::coldStubs() {
  // Stubs may add stubs (none do today); run until none are left.
  for (size_t i = 0; i < cold_.size(); ++i) cold_[i]();
  cold_.clear();
}

void Emitter::function(size_t index) {
  fn_ = &p_.functions[index];
  Xbyak::Label done;
  L(fnLabels_[index]);
  push(rbp);
  mov(rbp, rsp);
  if (fn_->frameBytes > 16) sub(rsp, static_cast<int32_t>(fn_->frameBytes - 16));
  fnReturn_ = &done;
  gen(fn_->body);
  L(done);
  if (fn_->ret == vp::Type::Str && !fn_->isProbe) {
    // The caller passed where to put the result after the arguments.
    Xbyak::Address dest = paramSlot(static_cast<uint32_t>(fn_->params.size()));
    mov(rsi, rax);
    mov(rdi, dest);
    callHelper(reinterpret_cast<const void*>(&rt::setstr));
    mov(rax, dest);
  }
  leave();
  ret();
  coldStubs();
  fn_ = nullptr;
}

}  // namespace vp
