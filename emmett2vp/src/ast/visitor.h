// A CRTP visitor with default traversal: a pass derives from
// Visitor<Pass>, writes `using Visitor<Pass>::visit;`, and overrides only the
// node types it cares about; everything else is walked into.
#pragma once

#include "emmett2vp/src/ast/ast.h"

namespace emmett::ast {

template <typename Impl>
class Visitor {
 public:
  void visit(Program& p) {
    for (auto& item : p.items) dispatch(*item);
  }

  // Dispatches on the node's kind to the most derived visit() of Impl.
  void dispatch(Node& n) {
    switch (n.kind) {
#define EMMETT_DISPATCH(K) \
  case NodeKind::K:        \
    return impl().visit(static_cast<K&>(n));
      EMMETT_DISPATCH(IntLit) EMMETT_DISPATCH(StrLit) EMMETT_DISPATCH(Ident)
      EMMETT_DISPATCH(Unary) EMMETT_DISPATCH(Binary) EMMETT_DISPATCH(Assign)
      EMMETT_DISPATCH(IncDec) EMMETT_DISPATCH(Ternary) EMMETT_DISPATCH(Call)
      EMMETT_DISPATCH(Index) EMMETT_DISPATCH(Member) EMMETT_DISPATCH(Cast)
      EMMETT_DISPATCH(SizeofType) EMMETT_DISPATCH(SizeofExpr) EMMETT_DISPATCH(Comma)
      EMMETT_DISPATCH(ExprStmt) EMMETT_DISPATCH(Block) EMMETT_DISPATCH(VarDecl)
      EMMETT_DISPATCH(If) EMMETT_DISPATCH(While) EMMETT_DISPATCH(DoWhile)
      EMMETT_DISPATCH(For) EMMETT_DISPATCH(Foreach) EMMETT_DISPATCH(Break)
      EMMETT_DISPATCH(Continue) EMMETT_DISPATCH(Return) EMMETT_DISPATCH(Try)
      EMMETT_DISPATCH(Arrow) EMMETT_DISPATCH(Empty) EMMETT_DISPATCH(AggrDecl)
      EMMETT_DISPATCH(BagDecl) EMMETT_DISPATCH(FuncDef) EMMETT_DISPATCH(Probe)
      EMMETT_DISPATCH(Typedef) EMMETT_DISPATCH(TypeDecl) EMMETT_DISPATCH(Memmodel)
#undef EMMETT_DISPATCH
    }
  }
  void dispatch(Expr* e) {
    if (e) dispatch(static_cast<Node&>(*e));
  }
  void dispatch(Stmt* s) {
    if (s) dispatch(static_cast<Node&>(*s));
  }

  // Default traversals.
  void visit(IntLit&) {}
  void visit(StrLit&) {}
  void visit(Ident&) {}
  void visit(Unary& n) { dispatch(n.operand.get()); }
  void visit(Binary& n) {
    dispatch(n.lhs.get());
    dispatch(n.rhs.get());
  }
  void visit(Assign& n) {
    dispatch(n.lhs.get());
    dispatch(n.rhs.get());
  }
  void visit(IncDec& n) { dispatch(n.operand.get()); }
  void visit(Ternary& n) {
    dispatch(n.cond.get());
    dispatch(n.then.get());
    dispatch(n.otherwise.get());
  }
  void visit(Call& n) {
    for (auto& a : n.args) dispatch(a.get());
  }
  void visit(Index& n) {
    dispatch(n.base.get());
    for (auto& k : n.keys) dispatch(k.get());
  }
  void visit(Member& n) { dispatch(n.base.get()); }
  void visit(Cast& n) { dispatch(n.operand.get()); }
  void visit(SizeofType&) {}
  void visit(SizeofExpr&) {}  // the operand is never evaluated
  void visit(Comma& n) {
    dispatch(n.lhs.get());
    dispatch(n.rhs.get());
  }
  void visit(ExprStmt& n) { dispatch(n.expr.get()); }
  void visit(Block& n) {
    for (auto& s : n.stmts) dispatch(s.get());
  }
  void visit(VarDecl& n) { dispatch(n.decl.init.get()); }
  void visit(If& n) {
    dispatch(n.cond.get());
    dispatch(n.then.get());
    dispatch(n.otherwise.get());
  }
  void visit(While& n) {
    dispatch(n.cond.get());
    dispatch(n.body.get());
  }
  void visit(DoWhile& n) {
    dispatch(n.body.get());
    dispatch(n.cond.get());
  }
  void visit(For& n) {
    for (auto& s : n.init) dispatch(s.get());
    dispatch(n.cond.get());
    dispatch(n.step.get());
    dispatch(n.body.get());
  }
  void visit(Foreach& n) {
    dispatch(n.key.get());
    dispatch(n.value.get());
    dispatch(n.bag.get());
    dispatch(n.body.get());
  }
  void visit(Break&) {}
  void visit(Continue&) {}
  void visit(Return& n) { dispatch(n.value.get()); }
  void visit(Try& n) {
    dispatch(n.body.get());
    for (auto& c : n.catches) dispatch(c.body.get());
  }
  void visit(Arrow& n) {
    dispatch(n.lhs.get());
    dispatch(n.rhs.get());
  }
  void visit(Empty&) {}
  void visit(AggrDecl&) {}
  void visit(BagDecl&) {}
  void visit(FuncDef& n) {
    if (n.body) dispatch(static_cast<Stmt*>(n.body.get()));
  }
  void visit(Probe& n) { dispatch(n.body.get()); }
  void visit(Typedef&) {}
  void visit(TypeDecl&) {}
  void visit(Memmodel&) {}

 private:
  Impl& impl() { return static_cast<Impl&>(*this); }
};

}  // namespace emmett::ast
