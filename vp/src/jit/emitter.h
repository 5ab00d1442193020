// The code generator behind JitCode. One Emitter compiles one program.
//
// Conventions of the generated code:
//   r15   the RtCtx of the firing thread (callee-saved, set by the entry
//         trampoline); rbx, r12-r14 are not used (rbx only to keep a value
//         across helper calls on the way out of a function);
//   rax   the value of the expression just compiled (an integer, or the
//         address of a string);
//   rsp   constant inside a function body and 16-byte aligned, so helpers
//         can be called at any point; the frame follows layout.h;
//   rbp   the frame pointer (arguments at rbp+16).
// Errors jump to the shared `raise_` stub, which asks rt::unwind for a try
// frame to resume in, or leaves through the trampoline with status 1.
#pragma once

#include <xbyak/xbyak.h>

#include <atomic>
#include <functional>
#include <vector>

#include "vp/src/ast.h"
#include "vp/src/runtime/rt_ctx.h"

namespace vp {

class Emitter : public Xbyak::CodeGenerator {
 public:
  Emitter(const Program& p, std::atomic<uint64_t>* shared, size_t maxBytes);

  // Emits everything; throws Xbyak::Error when the code does not fit.
  void compileAll();
  // After readyRE(): the entry trampoline and each probe body.
  using Entry = uint64_t (*)(RtCtx*, const void*);
  Entry entry() const {
    return reinterpret_cast<Entry>(const_cast<uint8_t*>(entry_.getAddress()));
  }
  const void* probeCode(size_t i) const { return probeLabels_[i].getAddress(); }
  std::vector<size_t> functionSizes;

  // --- used by the emitter's files ---
  void gen(const Expr* e);                               // value -> rax
  void branch(const Expr* e, Xbyak::Label& to, bool when);  // jump if truth == when
  void genBinary(const Expr* e);
  void genBuiltin(const Expr* e);
  void genCall(const Expr* e);
  void genCond(const Expr* e);
  void genLoop(const Expr* e);
  void genForeach(const Expr* e);
  void genTry(const Expr* e);
  void genJump(const Expr* e);
  void genReturn(const Expr* e);
  void genGlobal(const Expr* e);
  void readVar(const VarRef& v, const Xbyak::Reg64& to);
  void operands(const Expr* e);  // a binary operator's: rax, rcx/immediate
  void compare(const Expr* e);
  void writeInt(const VarRef& v);    // from rax
  void varAddress(const VarRef& v);  // string variable's address -> rax
  void operand(const Expr* e, const Xbyak::Reg64& to);   // simple operand
  // An error of `code` at `e`: returns the label of a cold stub raising it.
  Xbyak::Label& errorAt(ErrorCode code, const Expr* e);
  void callHelper(const void* fn);
  void checkFailed();  // after an RtResult helper: raise if rdx != 0
  void chargeLoop(const Expr* e);

  Xbyak::Address intSlot(int32_t i);
  Xbyak::Address strSlotPtr(int32_t i);  // use with lea
  Xbyak::Address paramSlot(uint32_t i) { return qword[rbp + 16 + 8 * i]; }
  Xbyak::Address field(size_t offset) { return qword[r15 + static_cast<int32_t>(offset)]; }

 private:
  void trampoline();
  void raiseStub();
  void function(size_t index);
  void coldStubs();

  // Loops, tries and foreach loops open at the point being compiled, to
  // unwind them on break/continue/return.
  struct Scope {
    enum class Kind { Loop, Try, Foreach } kind;
    Xbyak::Label* breakTo = nullptr;
    Xbyak::Label* continueTo = nullptr;
  };
  void leaveScopes(size_t keep);

  const Program& p_;
  std::atomic<uint64_t>* shared_;
  const Function* fn_ = nullptr;
  Xbyak::Label entry_, raise_, ret_;
  Xbyak::Label* fnReturn_ = nullptr;  // epilogue of the function being compiled
  std::vector<Xbyak::Label> fnLabels_;
  std::vector<Xbyak::Label> probeLabels_;
  std::vector<std::function<void()>> cold_;
  std::vector<std::unique_ptr<Xbyak::Label>> coldLabels_;
  std::vector<Scope> scopes_;

  friend class ScopeGuard;

 public:
  void pushScope(Scope s) { scopes_.push_back(s); }
  void popScope() { scopes_.pop_back(); }
  using ScopeKind = Scope::Kind;
};

}  // namespace vp
