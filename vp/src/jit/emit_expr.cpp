// Values: literals, variables, built-in globals, operators, cond, do.
#include <cstddef>

#include "vp/src/jit/emitter.h"
#include "vp/src/layout.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

using namespace Xbyak::util;

namespace {

const char kEmpty[] = "";

bool fitsImm32(uint64_t v) {
  return static_cast<int64_t>(v) == static_cast<int32_t>(static_cast<int64_t>(v));
}

}  // namespace

// Loads a simple operand (isSimpleOperand) into `to`.
void Emitter::operand(const Expr* e, const Xbyak::Reg64& to) {
  if (e->op == Op::IntConst) {
    mov(to, e->imm);
  } else if (e->op == Op::Global) {
    mov(to, field(offsetof(RtCtx, args) + 8 * (e->index - static_cast<uint32_t>(Global::ARG0))));
  } else {
    readVar(e->var, to);
  }
}

void Emitter::readVar(const VarRef& v, const Xbyak::Reg64& to) {
  if (v.type == vp::Type::Str && v.where != VarRef::Where::Param) {
    varAddress(v);
    if (to.getIdx() != rax.getIdx()) mov(to, rax);
    return;
  }
  switch (v.where) {
    case VarRef::Where::Thread: mov(to, field(sizeof(RtCtx) + 8 * v.index)); return;
    case VarRef::Where::Param: mov(to, paramSlot(v.index)); return;
    case VarRef::Where::Local: mov(to, intSlot(fn_->localSlot[v.index])); return;
    case VarRef::Where::Shared:
      mov(to, reinterpret_cast<uint64_t>(&shared_[v.index]));
      mov(to, qword[to]);
      return;
  }
}

void Emitter::varAddress(const VarRef& v) {
  switch (v.where) {
    case VarRef::Where::Thread:
      lea(rax, ptr[r15 + static_cast<int32_t>(sizeof(RtCtx) + 8 * p_.ints.size() +
                                              kStrBytes * v.index)]);
      return;
    case VarRef::Where::Param: mov(rax, paramSlot(v.index)); return;
    case VarRef::Where::Local: lea(rax, strSlotPtr(fn_->localSlot[v.index])); return;
    case VarRef::Where::Shared: return;
  }
}

void Emitter::writeInt(const VarRef& v) {
  switch (v.where) {
    case VarRef::Where::Thread: mov(field(sizeof(RtCtx) + 8 * v.index), rax); return;
    case VarRef::Where::Param: mov(paramSlot(v.index), rax); return;
    case VarRef::Where::Local: mov(intSlot(fn_->localSlot[v.index]), rax); return;
    case VarRef::Where::Shared:
      // A locked exchange: sequentially consistent, as VP 1.2 promises.
      mov(rcx, reinterpret_cast<uint64_t>(&shared_[v.index]));
      mov(rdx, rax);
      xchg(qword[rcx], rdx);
      return;
  }
}

void Emitter::genGlobal(const Expr* e) {
  auto g = static_cast<Global>(e->index);
  if (g >= Global::ARG0 && g <= Global::ARG9) {
    operand(e, rax);
    return;
  }
  if (g == Global::PROBENAME) {
    mov(rax, field(offsetof(RtCtx, probeName)));
    return;
  }
  if (g == Global::TSC) {
    mov(rdi, r15);
    mov(rsi, reinterpret_cast<uint64_t>(e));
    callHelper(reinterpret_cast<const void*>(&rt::tsc));
    return;
  }
  // Registers: from this fire's cache, fetched by the helper on first use.
  const GlobalInfo& info = globalInfo(g);
  auto slow = std::make_unique<Xbyak::Label>();
  auto back = std::make_unique<Xbyak::Label>();
  Xbyak::Label* slowL = slow.get();
  Xbyak::Label* backL = back.get();
  coldLabels_.push_back(std::move(slow));
  coldLabels_.push_back(std::move(back));
  test(dword[r15 + offsetof(RtCtx, valid)], 1u << info.group);
  jz(*slowL);
  mov(rax, field(offsetof(RtCtx, cache) + 8 * (kGroupBase[info.group] + info.slot)));
  L(*backL);
  cold_.push_back([this, e, slowL, backL] {
    L(*slowL);
    mov(rdi, r15);
    mov(rsi, reinterpret_cast<uint64_t>(e));
    callHelper(reinterpret_cast<const void*>(&rt::global));
    checkFailed();
    jmp(*backL);
  });
}

namespace {

bool isCompare(Op op) { return op >= Op::Eq && op <= Op::Ge; }

// Operators with an x86 form taking an immediate.
bool takesImm(const Expr* e) {
  const Expr* rhs = e->kids[1];
  return e->slot < 0 && rhs->op == Op::IntConst && fitsImm32(rhs->imm) &&
         e->op != Op::Div && e->op != Op::Mod && e->op != Op::Shl && e->op != Op::Shr;
}

}  // namespace

// Both operands: the left in rax; the right in rcx, unless takesImm(e).
void Emitter::operands(const Expr* e) {
  gen(e->kids[0]);
  if (e->slot >= 0) {
    mov(intSlot(e->slot), rax);
    gen(e->kids[1]);
    mov(rcx, rax);
    mov(rax, intSlot(e->slot));
  } else if (!takesImm(e)) {
    operand(e->kids[1], rcx);
  }
}

void Emitter::compare(const Expr* e) {
  operands(e);
  if (takesImm(e)) {
    cmp(rax, static_cast<uint32_t>(e->kids[1]->imm));
  } else {
    cmp(rax, rcx);
  }
}

void Emitter::genBinary(const Expr* e) {
  if (isCompare(e->op)) {
    compare(e);
    switch (e->op) {
      case Op::Eq: sete(al); break;
      case Op::Ne: setne(al); break;
      case Op::Lt: setb(al); break;
      case Op::Gt: seta(al); break;
      case Op::Le: setbe(al); break;
      default: setae(al); break;
    }
    movzx(eax, al);
    return;
  }
  operands(e);
  if (takesImm(e)) {
    auto imm = static_cast<uint32_t>(e->kids[1]->imm);
    switch (e->op) {
      case Op::Add: add(rax, imm); return;
      case Op::Sub: sub(rax, imm); return;
      case Op::Mul: imul(rax, rax, imm); return;
      case Op::BitAnd: and_(rax, imm); return;
      case Op::BitOr: or_(rax, imm); return;
      default: xor_(rax, imm); return;
    }
  }
  Xbyak::Label zero, done;
  switch (e->op) {
    case Op::Add: add(rax, rcx); return;
    case Op::Sub: sub(rax, rcx); return;
    case Op::Mul: imul(rax, rcx); return;
    case Op::BitAnd: and_(rax, rcx); return;
    case Op::BitOr: or_(rax, rcx); return;
    case Op::BitXor: xor_(rax, rcx); return;
    case Op::Div: case Op::Mod:
      test(rcx, rcx);
      jz(errorAt(ErrorCode::Divide, e));
      xor_(edx, edx);
      div(rcx);
      if (e->op == Op::Mod) mov(rax, rdx);
      return;
    default:
      // VP shifts by 64 or more give 0; x86 would use the count mod 64.
      cmp(rcx, 63);
      ja(zero);
      if (e->op == Op::Shl) shl(rax, cl); else shr(rax, cl);
      jmp(done);
      L(zero);
      xor_(eax, eax);
      L(done);
      return;
  }
}

void Emitter::branch(const Expr* e, Xbyak::Label& to, bool when) {
  switch (e->op) {
    case Op::IntConst:
      if ((e->imm != 0) == when) jmp(to);
      return;
    case Op::Not: branch(e->kids[0], to, !when); return;
    case Op::LogAnd: case Op::LogOr: {
      // a && b jumps on false as soon as a is false; a || b on true as soon
      // as a is true. The other polarity needs a skip label.
      bool shortcut = e->op == Op::LogAnd ? !when : when;
      if (shortcut) {
        branch(e->kids[0], to, when);
        branch(e->kids[1], to, when);
      } else {
        Xbyak::Label skip;
        branch(e->kids[0], skip, !when);
        branch(e->kids[1], to, when);
        L(skip);
      }
      return;
    }
    default: break;
  }
  if (!isCompare(e->op)) {
    gen(e);
    test(rax, rax);
    if (when) jnz(to); else jz(to);
    return;
  }
  compare(e);
  Op op = e->op;
  if (!when) {  // jump when the comparison is false: invert it
    switch (op) {
      case Op::Eq: op = Op::Ne; break;
      case Op::Ne: op = Op::Eq; break;
      case Op::Lt: op = Op::Ge; break;
      case Op::Ge: op = Op::Lt; break;
      case Op::Gt: op = Op::Le; break;
      case Op::Le: op = Op::Gt; break;
      default: break;
    }
  }
  switch (op) {
    case Op::Eq: je(to); break;
    case Op::Ne: jne(to); break;
    case Op::Lt: jb(to); break;
    case Op::Gt: ja(to); break;
    case Op::Le: jbe(to); break;
    case Op::Ge: jae(to); break;
    default: break;
  }
}

void Emitter::genCond(const Expr* e) {
  Xbyak::Label end;
  for (size_t i = 0; i + 1 < e->kids.size(); i += 2) {
    Xbyak::Label next;
    branch(e->kids[i], next, false);
    gen(e->kids[i + 1]);
    jmp(end);
    L(next);
  }
  if (e->type == vp::Type::Str) {
    mov(rax, reinterpret_cast<uint64_t>(kEmpty));
  } else {
    xor_(eax, eax);
  }
  L(end);
}

void Emitter::gen(const Expr* e) {
  switch (e->op) {
    case Op::IntConst:
      if (e->imm == 0) xor_(eax, eax); else mov(rax, e->imm);
      return;
    case Op::StrConst:
      mov(rax, reinterpret_cast<uint64_t>(p_.strConsts[e->index].c_str()));
      return;
    case Op::Var: readVar(e->var, rax); return;
    case Op::Global: genGlobal(e); return;
    case Op::SetInt: gen(e->kids[0]); writeInt(e->var); return;
    case Op::SetStr:
      gen(e->kids[0]);
      mov(rsi, rax);
      varAddress(e->var);
      mov(rdi, rax);
      callHelper(reinterpret_cast<const void*>(&rt::setstr));
      varAddress(e->var);
      return;
    case Op::Neg: gen(e->kids[0]); neg(rax); return;
    case Op::BitNot: gen(e->kids[0]); not_(rax); return;
    case Op::Not: case Op::LogAnd: case Op::LogOr: {
      Xbyak::Label no, done;
      branch(e, no, false);
      mov(eax, 1);
      jmp(done);
      L(no);
      xor_(eax, eax);
      L(done);
      return;
    }
    case Op::Cond: genCond(e); return;
    case Op::Do: case Op::Let:
      for (const Expr* k : e->kids) gen(k);
      return;
    case Op::Call: genCall(e); return;
    case Op::Builtin: genBuiltin(e); return;
    case Op::While: case Op::DoWhile: case Op::For: genLoop(e); return;
    case Op::Break: case Op::Continue: genJump(e); return;
    case Op::Return: genReturn(e); return;
    case Op::Try: genTry(e); return;
    case Op::BagForeach: genForeach(e); return;
    default: genBinary(e); return;
  }
}

}  // namespace vp
