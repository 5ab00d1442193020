// The height of an expression node from its direct children's heights (set
// when they were built), so the parser can bound the tree it builds without
// walking it.
#pragma once

#include <algorithm>
#include <cstdint>

#include "emmett2vp/src/ast/ast.h"

namespace emmett::parser {

inline uint32_t heightOf(const ast::Expr* e) { return e ? e->height : 0; }

// 1 + the tallest child.
inline uint32_t subtreeHeight(const ast::Expr& e) {
  using K = ast::NodeKind;
  uint32_t h = 0;
  auto take = [&h](const ast::Expr* c) { h = std::max(h, heightOf(c)); };
  auto both = [&take](const auto& n) {
    take(n.lhs.get());
    take(n.rhs.get());
  };
  switch (e.kind) {
    case K::Unary: take(static_cast<const ast::Unary&>(e).operand.get()); break;
    case K::IncDec: take(static_cast<const ast::IncDec&>(e).operand.get()); break;
    case K::Cast: take(static_cast<const ast::Cast&>(e).operand.get()); break;
    case K::SizeofExpr: take(static_cast<const ast::SizeofExpr&>(e).operand.get()); break;
    case K::Member: take(static_cast<const ast::Member&>(e).base.get()); break;
    case K::Binary: both(static_cast<const ast::Binary&>(e)); break;
    case K::Assign: both(static_cast<const ast::Assign&>(e)); break;
    case K::Comma: both(static_cast<const ast::Comma&>(e)); break;
    case K::Ternary: {
      auto& t = static_cast<const ast::Ternary&>(e);
      take(t.cond.get());
      take(t.then.get());
      take(t.otherwise.get());
      break;
    }
    case K::Call:
      for (const auto& a : static_cast<const ast::Call&>(e).args) take(a.get());
      break;
    case K::Index: {
      auto& ix = static_cast<const ast::Index&>(e);
      take(ix.base.get());
      for (const auto& k : ix.keys) take(k.get());
      break;
    }
    default: break;  // leaves
  }
  return h + 1;
}

}  // namespace emmett::parser
