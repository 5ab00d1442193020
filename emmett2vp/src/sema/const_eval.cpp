#include "emmett2vp/src/sema/const_eval.h"

#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/sema/type_resolver.h"

namespace emmett {
namespace {

std::optional<uint64_t> binary(const std::string& op, uint64_t a, uint64_t b) {
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/") return b == 0 ? std::nullopt : std::optional<uint64_t>(a / b);
  if (op == "%") return b == 0 ? std::nullopt : std::optional<uint64_t>(a % b);
  if (op == "<<") return b >= 64 ? 0 : a << b;
  if (op == ">>") return b >= 64 ? 0 : a >> b;
  if (op == "&") return a & b;
  if (op == "|") return a | b;
  if (op == "^") return a ^ b;
  if (op == "&&") return a && b;
  if (op == "||") return a || b;
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == ">") return a > b;
  if (op == "<=") return a <= b;
  if (op == ">=") return a >= b;
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> evalConst(const ast::Expr& e, const TypeTable& table, TypeResolver* types) {
  using K = ast::NodeKind;
  switch (e.kind) {
    case K::IntLit:
      return static_cast<const ast::IntLit&>(e).value;
    case K::Ident: {
      const auto& id = static_cast<const ast::Ident&>(e);
      if (const auto* c = table.enumConst(id.name)) return c->value;
      // Predefined constants (NULL, REG_*, VT_*) resolve to such symbols.
      if (id.sym && id.sym->kind == Symbol::Kind::EnumConst) return id.sym->value;
      return std::nullopt;
    }
    case K::Unary: {
      const auto& u = static_cast<const ast::Unary&>(e);
      auto v = evalConst(*u.operand, table, types);
      if (!v) return std::nullopt;
      if (u.op == "-") return 0 - *v;
      if (u.op == "+") return *v;
      if (u.op == "~") return ~*v;
      if (u.op == "!") return static_cast<uint64_t>(!*v);
      return std::nullopt;
    }
    case K::Binary: {
      const auto& b = static_cast<const ast::Binary&>(e);
      auto l = evalConst(*b.lhs, table, types);
      auto r = evalConst(*b.rhs, table, types);
      if (!l || !r) return std::nullopt;
      return binary(b.op, *l, *r);
    }
    case K::Ternary: {
      const auto& t = static_cast<const ast::Ternary&>(e);
      auto c = evalConst(*t.cond, table, types);
      if (!c) return std::nullopt;
      return evalConst(*c ? *t.then : *t.otherwise, table, types);
    }
    case K::SizeofType: {
      if (!types) return std::nullopt;
      const auto& s = static_cast<const ast::SizeofType&>(e);
      const Type* t = types->resolve(s.target, s.pointers, {}, /*report=*/false);
      if (!t || t->isError() || t->isVoid() || t->isString() || typeSize(t) == 0) return std::nullopt;
      return typeSize(t);
    }
    case K::Cast: {
      const auto& c = static_cast<const ast::Cast&>(e);
      auto v = evalConst(*c.operand, table, types);
      if (!v || !types) return v;
      const Type* t = types->resolve(c.target, c.pointers, {}, false);
      if (!t || !t->isInt() || t->size >= 8) return v;
      uint64_t mask = (uint64_t{1} << (8 * t->size)) - 1;
      uint64_t x = *v & mask;
      uint64_t sign = uint64_t{1} << (8 * t->size - 1);
      return t->isSigned && (x & sign) ? x | ~mask : x;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace emmett
