// Lowering of statements (see lowerer.h). A statement list in tail position
// (the end of a probe or function) turns `return x;` into the value x, and
// an if whose arms all end in a return but one into a cond whose one
// falling-through arm is followed by the rest of the list:
// `if (c) return a; rest` is (cond (c a) (1 rest)), and
// `if (c) { s; } else return b; rest` is (cond (c s rest) (1 b)). So the
// common early returns stay VP 1.0 without copying code; any other return
// needs VP 1.1's (return).
#include "emmett2vp/src/passes/lowerer.h"
#include "emmett2vp/src/sema/builtins.h"

namespace emmett::lowering {

namespace {

bool endsInReturn(const ast::Stmt* s) {
  if (!s) return false;
  switch (s->kind) {
    case ast::NodeKind::Return: return true;
    case ast::NodeKind::Block: {
      auto& b = static_cast<const ast::Block&>(*s);
      return !b.stmts.empty() && endsInReturn(b.stmts.back().get());
    }
    case ast::NodeKind::If: {
      auto& i = static_cast<const ast::If&>(*s);
      return endsInReturn(i.then.get()) && endsInReturn(i.otherwise.get());
    }
    default: return false;
  }
}

}  // namespace

// Does every path through `s` end in `return value`?
bool Lowerer::complete(const ast::Stmt* s) {
  if (!s) return false;
  switch (s->kind) {
    case ast::NodeKind::Return: return static_cast<const ast::Return&>(*s).value != nullptr;
    case ast::NodeKind::Block: {
      auto& b = static_cast<const ast::Block&>(*s);
      return !b.stmts.empty() && complete(b.stmts.back().get());
    }
    case ast::NodeKind::If: {
      auto& i = static_cast<const ast::If&>(*s);
      return complete(i.then.get()) && complete(i.otherwise.get());
    }
    default: return false;
  }
}

// Forms a statement produced that have no location of their own (a
// `cond` for an if, a `setint` for a declaration) get the statement's, so
// the source map points every VP form at Emmett code.
void Lowerer::stamp(Exprs& out, size_t from, Location loc) {
  for (size_t i = from; i < out.size(); ++i)
    if (!out[i].loc.line) out[i].loc = loc;
}

void Lowerer::lowerStmt(ast::Stmt& s, Exprs& out) {
  size_t from = out.size();
  Exprs* saved = out_;
  out_ = &out;
  dispatch(&s);
  out_ = saved;
  stamp(out, from, s.loc);
}

namespace {

std::vector<ast::Stmt*> stmtsOf(ast::Stmt* s) {
  std::vector<ast::Stmt*> out;
  if (s && s->kind == ast::NodeKind::Block)
    for (auto& st : static_cast<ast::Block&>(*s).stmts) out.push_back(st.get());
  else if (s)
    out.push_back(s);
  return out;
}

// The arms of an if/else-if chain: each condition's body, then the final
// else (null when there is none: an arm that falls through).
struct Arms {
  std::vector<ast::If*> ifs;
  std::vector<ast::Stmt*> bodies;  // ifs.size() + 1
};

Arms armsOf(ast::If& s) {
  Arms a;
  ast::If* cur = &s;
  for (;;) {
    a.ifs.push_back(cur);
    a.bodies.push_back(cur->then.get());
    if (cur->otherwise && cur->otherwise->kind == ast::NodeKind::If) {
      cur = static_cast<ast::If*>(cur->otherwise.get());
      continue;
    }
    a.bodies.push_back(cur->otherwise.get());
    return a;
  }
}

}  // namespace

Exprs Lowerer::lowerBody(ast::Stmt* s, bool tail) {
  Exprs out;
  if (!s) return out;
  if (s->kind == ast::NodeKind::Block) return lowerList(stmtsOf(s), 0, tail);
  if (tail) lowerTail(*s, out);
  else lowerStmt(*s, out);
  return out;
}

Exprs Lowerer::lowerList(const std::vector<ast::Stmt*>& stmts, size_t from, bool tail) {
  Exprs out;
  Exprs* saved = out_;
  for (size_t i = from; i < stmts.size(); ++i) {
    ast::Stmt& s = *stmts[i];
    bool last = i + 1 == stmts.size();
    if (tail && last) {
      lowerTail(s, out);
      break;
    }
    if (tail && s.kind == ast::NodeKind::If && earlyReturns(static_cast<ast::If&>(s), stmts, i + 1, out)) break;
    lowerStmt(s, out);
  }
  out_ = saved;
  return out;
}

// `if` chains in tail position with all arms but one ending in a return
// (see the top of this file): false, and nothing lowered, for the others.
bool Lowerer::earlyReturns(ast::If& s, const std::vector<ast::Stmt*>& stmts, size_t next, Exprs& out) {
  Arms arms = armsOf(s);
  size_t through = arms.bodies.size(), falling = 0;
  for (size_t k = 0; k < arms.bodies.size(); ++k)
    if (!endsInReturn(arms.bodies[k])) through = k, ++falling;
  if (falling != 1) return false;
  auto body = [&](size_t k) {
    Exprs b;
    if (k == through) {
      std::vector<ast::Stmt*> list = stmtsOf(arms.bodies[k]);
      list.insert(list.end(), stmts.begin() + static_cast<std::ptrdiff_t>(next), stmts.end());
      b = lowerList(list, 0, true);
    } else {
      b = lowerBody(arms.bodies[k], true);
    }
    if (b.empty()) b.push_back(SExpr::num(0));
    return b;
  };
  SExpr form = SExpr::call("cond", {});
  for (size_t k = 0; k < arms.ifs.size(); ++k) {
    SExpr cond = value(*arms.ifs[k]->cond);
    Exprs clause = body(k);
    clause.insert(clause.begin(), std::move(cond));
    form.items.push_back(SExpr::list(std::move(clause)));
  }
  Exprs rest = body(arms.ifs.size());
  // A chain of `if (c) return x;` is one cond, as an else-if chain is:
  // (cond (c x) (1 (cond (d y) ...))) is (cond (c x) (d y) ...).
  if (rest.size() == 1 && rest[0].isList("cond")) {
    form.items.insert(form.items.end(), rest[0].items.begin() + 1, rest[0].items.end());
  } else {
    rest.insert(rest.begin(), SExpr::num(1));
    form.items.push_back(SExpr::list(std::move(rest)));
  }
  out.push_back(std::move(form));
  out.back().loc = s.loc;
  return true;
}

void Lowerer::lowerTail(ast::Stmt& s, Exprs& out) {
  switch (s.kind) {
    case ast::NodeKind::Return: {
      auto& r = static_cast<ast::Return&>(s);
      if (r.value) out.push_back(value(*r.value));
      return;
    }
    case ast::NodeKind::Block: {
      Exprs b = lowerList(stmtsOf(&s), 0, true);
      out.insert(out.end(), b.begin(), b.end());
      return;
    }
    case ast::NodeKind::If:
      out.push_back(ifForm(static_cast<ast::If&>(s), true));
      out.back().loc = s.loc;
      return;
    default:
      lowerStmt(s, out);
  }
}

// One VP expression for a body: itself, (do ...), or 0 when empty.
SExpr Lowerer::single(Exprs body) {
  if (body.empty()) return SExpr::num(0);
  if (body.size() == 1) return std::move(body[0]);
  body.insert(body.begin(), SExpr::sym("do"));
  return SExpr::list(std::move(body));
}

SExpr Lowerer::ifForm(ast::If& s, bool tail) {
  std::vector<SExpr> clauses{SExpr::sym("cond")};
  ast::If* cur = &s;
  for (;;) {
    Exprs clause{value(*cur->cond)};
    Exprs then = lowerBody(cur->then.get(), tail);
    if (then.empty()) then.push_back(SExpr::num(0));
    clause.insert(clause.end(), then.begin(), then.end());
    clauses.push_back(SExpr::list(std::move(clause)));
    // else-if chains become further clauses of the same cond.
    if (cur->otherwise && cur->otherwise->kind == ast::NodeKind::If) {
      cur = static_cast<ast::If*>(cur->otherwise.get());
      continue;
    }
    if (cur->otherwise) {
      Exprs e = lowerBody(cur->otherwise.get(), tail);
      if (e.empty()) e.push_back(SExpr::num(0));
      e.insert(e.begin(), SExpr::num(1));
      clauses.push_back(SExpr::list(std::move(e)));
    }
    break;
  }
  return SExpr::list(std::move(clauses));
}

void Lowerer::visit(ast::ExprStmt& s) { out_->push_back(discarded(*s.expr)); }

void Lowerer::visit(ast::Block& s) {
  for (auto& st : s.stmts) lowerStmt(*st, *out_);
}

void Lowerer::visit(ast::VarDecl& s) {
  if (!s.decl.init || !s.sym) return;
  const char* set = s.sym->type->isString() ? "setstr" : "setint";
  out_->push_back(SExpr::call(set, {SExpr::sym(s.sym->vpName), value(*s.decl.init)}));
}

void Lowerer::visit(ast::If& s) { out_->push_back(ifForm(s, false)); }

void Lowerer::visit(ast::While& s) {
  need(since("while"), "the 'while' loop", s.loc);
  Exprs body{SExpr::sym("while"), value(*s.cond)};
  Exprs b = lowerBody(s.body.get(), false);
  body.insert(body.end(), b.begin(), b.end());
  out_->push_back(SExpr::list(std::move(body)));
}

void Lowerer::visit(ast::DoWhile& s) {
  need(since("dowhile"), "the 'do'-'while' loop", s.loc);
  Exprs b = lowerBody(s.body.get(), false);
  Exprs body{SExpr::sym("dowhile"), value(*s.cond)};
  body.insert(body.end(), b.begin(), b.end());
  out_->push_back(SExpr::list(std::move(body)));
}

void Lowerer::visit(ast::For& s) {
  need(since("for"), "the 'for' loop", s.loc);
  Exprs init;
  Exprs* saved = out_;
  out_ = &init;
  for (auto& i : s.init) lowerStmt(*i, init);
  out_ = saved;
  Exprs form{SExpr::sym("for"), single(std::move(init)), s.cond ? value(*s.cond) : SExpr::num(1),
             s.step ? discarded(*s.step) : SExpr::num(0)};
  Exprs b = lowerBody(s.body.get(), false);
  form.insert(form.end(), b.begin(), b.end());
  out_->push_back(SExpr::list(std::move(form)));
}

void Lowerer::visit(ast::Foreach& s) {
  need(since("bagforeach"), "the 'foreach' loop", s.loc);
  Symbol* bag = container(*s.bag);
  Exprs form{SExpr::sym("bagforeach"), SExpr::sym(bag->vpName), ref(s.key->sym), ref(s.value->sym)};
  Exprs b = lowerBody(s.body.get(), false);
  form.insert(form.end(), b.begin(), b.end());
  out_->push_back(SExpr::list(std::move(form)));
}

void Lowerer::visit(ast::Break& s) {
  need(since("break"), "'break'", s.loc);
  out_->push_back(SExpr::call("break", {}));
}

void Lowerer::visit(ast::Continue& s) {
  need(since("continue"), "'continue'", s.loc);
  out_->push_back(SExpr::call("continue", {}));
}

void Lowerer::visit(ast::Return& s) {
  need(since("return"), "the 'return' before the end of a function or probe", s.loc);
  if (s.value) out_->push_back(SExpr::call("return", {value(*s.value)}));
  else out_->push_back(SExpr::call("return", {}));
}

void Lowerer::visit(ast::Try& s) {
  need(since("try"), "'try'/'catch'", s.loc);
  Exprs form{SExpr::sym("try"), single(lowerBody(s.body.get(), false))};
  for (auto& c : s.catches) {
    Exprs names;
    for (auto& [n, loc] : c.errors) {
      names.push_back(SExpr::sym(std::string(engineErrorName(n))));
      if (names.back().atom == "BagFullError") need(since("BagFullError"), "catching BagFullError", loc);
    }
    Exprs clause{SExpr::sym("catch"), SExpr::list(std::move(names))};
    Exprs h = lowerBody(c.body.get(), false);
    if (h.empty()) h.push_back(SExpr::num(0));
    clause.insert(clause.end(), h.begin(), h.end());
    form.push_back(SExpr::list(std::move(clause)));
  }
  out_->push_back(SExpr::list(std::move(form)));
}

void Lowerer::visit(ast::Arrow& s) {
  auto& ix = static_cast<ast::Index&>(*s.lhs);
  Symbol* c = container(*ix.base);
  if (const ast::Call* h = histogramCall(*s.rhs)) {
    // The engine puts the value in its bucket (defhist); each counts 1.
    out_->push_back(aggrSample(ix, SExpr::num(1), value(*h->args[0])));
    return;
  }
  SExpr v = value(*s.rhs);
  if (c->kind == Symbol::Kind::Aggr) {
    out_->push_back(aggrSample(ix, std::move(v)));
    return;
  }
  // The slides: an insert into a full bag is a runtime error (catchable).
  // VP 1.2's bagput raises it; older engines only have baginsert, which
  // drops the pair silently.
  bool raise = target_ >= vp::Version{1, 2};
  if (raise) need(since("bagput"), "inserting into a bag (bagput: a full bag is an error)", s.loc);
  out_->push_back(SExpr::call(raise ? "bagput" : "baginsert", {SExpr::sym(c->vpName), value(*ix.keys[0]), std::move(v)}));
}

}  // namespace emmett::lowering
