// The forms VP 1.1 adds: let, loops, break/continue, return, try/catch,
// bagforeach (see docs/vp-language.md).
#include "vp/src/check/checker_impl.h"
#include "vp/src/runtime/error_text.h"
#include "vp/vocabulary.h"

namespace vp {

namespace {

// "MemAccessError, ... and BagFullError", from the vocabulary.
std::string errorNames() {
  std::string list, last;
  for (const auto& w : kVocabulary) {
    if (w.kind != WordKind::ErrorName) continue;
    if (!last.empty()) list += (list.empty() ? "" : ", ") + last;
    last = w.name;
  }
  return list + " and " + last;
}

uint32_t allErrors() {
  uint32_t mask = 0;
  for (uint32_t c = 1; c < static_cast<uint32_t>(ErrorCode::Exit); ++c) mask |= 1u << c;
  return mask;
}

}  // namespace

uint32_t Checker::addLocal(const std::string& name, Type type) {
  auto id = static_cast<uint32_t>(fn_->locals.size());
  fn_->locals.push_back(type);
  scope_.push_back({name, VarRef{VarRef::Where::Local, type, id}});
  return id;
}

void Checker::popLocals(size_t count) { scope_.resize(scope_.size() - count); }

class V11Checker {
 public:
  V11Checker(Checker& c, const SExpr& s) : c_(c), s_(s), p_(c.program()) {}

  Expr* let(Want want) {
    const auto& it = s_.items;
    if (it.size() < 3 || !it[1].isList()) {
      return bad("let takes a list of bindings and a body: (let ((x 0) (s \"\")) expr...)");
    }
    Expr* e = p_.make(Op::Let, Type::None, s_.loc);
    size_t bound = 0;
    for (const auto& b : it[1].items) {
      if (!b.isList() || b.items.size() != 2 || !b.items[0].isSymbol()) {
        c_.popLocals(bound);
        c_.error(b.loc, "a let binding is a name and an initial value: (name value)");
        return c_.invalid(s_.loc);
      }
      if (!c_.validName(b.items[0], "local variable")) {
        c_.popLocals(bound);
        return c_.invalid(s_.loc);
      }
      Expr* init = c_.expr(b.items[1], Want::Value);
      Type t = init->type == Type::Str ? Type::Str : Type::Int;
      uint32_t id = c_.addLocal(b.items[0].text, t);
      ++bound;
      Expr* set = p_.make(t == Type::Str ? Op::SetStr : Op::SetInt, t, b.loc);
      set->var = VarRef{VarRef::Where::Local, t, id};
      set->kids.push_back(init);
      e->kids.push_back(set);
    }
    Expr* body = c_.body(it, 2, want, s_.loc);
    e->kids.push_back(body);
    e->type = body->type;
    c_.popLocals(bound);
    return e;
  }

  Expr* loop(Op op) {
    const auto& it = s_.items;
    size_t heads = op == Op::For ? 3 : 1;
    if (it.size() < 1 + heads) {
      return bad(op == Op::For ? "for takes an init, a test, a step and a body"
                               : std::string(s_.head()) + " takes a test and a body");
    }
    Expr* e = p_.make(op, Type::None, s_.loc);
    if (op == Op::For) {
      e->kids.push_back(c_.expr(it[1], Want::Any));
      e->kids.push_back(c_.expr(it[2], Want::Int));
      e->kids.push_back(c_.expr(it[3], Want::Any));
    } else {
      e->kids.push_back(c_.expr(it[1], Want::Int));
    }
    ++c_.loopDepth;
    e->kids.push_back(c_.body(it, 1 + heads, Want::Any, s_.loc));
    --c_.loopDepth;
    return e;
  }

  Expr* jump(Op op) {
    if (s_.items.size() != 1) return bad(std::string(s_.head()) + " takes no arguments");
    if (c_.loopDepth == 0) return bad(std::string(s_.head()) + " outside a loop");
    return p_.make(op, Type::None, s_.loc);
  }

  Expr* ret() {
    Function* fn = c_.current();
    Expr* e = p_.make(Op::Return, Type::None, s_.loc);
    if (s_.items.size() > 2) return bad("return takes at most one value");
    if (s_.items.size() == 2) {
      if (fn->isProbe) return bad("a probe cannot return a value");
      Expr* v = c_.expr(s_.items[1], Want::Value);
      e->kids.push_back(v);
      c_.returns = c_.unifyTypes(c_.returns, v->type);
    } else if (!fn->isProbe) {
      c_.returns = c_.unifyTypes(c_.returns, Type::None);
    }
    return e;
  }

  Expr* tryForm(Want want) {
    const auto& it = s_.items;
    if (it.size() < 3) return bad("try takes an expression and at least one (catch (ERRORS...) handler...)");
    Expr* e = p_.make(Op::Try, Type::Unknown, s_.loc);
    ++c_.tryDepth;
    Want branch = (want == Want::Int || want == Want::Str) ? want : Want::Any;
    Expr* body = c_.expr(it[1], branch);
    --c_.tryDepth;
    e->kids.push_back(body);
    e->type = body->type;
    for (size_t i = 2; i < it.size(); ++i) {
      uint32_t mask = 0;
      if (!catchMask(it[i], mask)) return c_.invalid(s_.loc);
      Expr* h = c_.body(it[i].items, 2, branch, it[i].loc);
      e->kids.push_back(h);
      e->catchMasks.push_back(mask);
      e->type = c_.unifyTypes(e->type, h->type);
    }
    return e;
  }

  Expr* foreach() {
    const auto& it = s_.items;
    if (it.size() < 4) return bad("bagforeach takes a bag, a key variable, a value variable and a body");
    Expr* e = p_.make(Op::BagForeach, Type::None, s_.loc);
    if (!it[1].isSymbol() || !c_.lookupTop(it[1].text, SymKind::Bag, e->index)) {
      return bad("expected the name of a bag after bagforeach");
    }
    if (!c_.intVariable(it[2], e->var, "bagforeach") ||
        !c_.intVariable(it[3], e->var2, "bagforeach")) {
      return c_.invalid(s_.loc);
    }
    ++c_.loopDepth;
    e->kids.push_back(c_.body(it, 4, Want::Any, s_.loc));
    --c_.loopDepth;
    return e;
  }

 private:
  Expr* bad(const std::string& msg) {
    c_.error(s_.loc, msg);
    return c_.invalid(s_.loc);
  }

  bool catchMask(const SExpr& clause, uint32_t& mask) {
    if (!clause.isList() || clause.items.size() < 2 || !clause.items[0].isSymbol("catch") ||
        !clause.items[1].isList()) {
      c_.error(clause.loc, "expected (catch (ERROR...) handler...); () catches every error");
      return false;
    }
    if (clause.items[1].items.empty()) mask = allErrors();
    for (const auto& name : clause.items[1].items) {
      ErrorCode code;
      if (!name.isSymbol() || !findErrorName(name.text, code)) {
        c_.error(name.loc, "unknown error name '" + name.text + "'; errors are " + errorNames());
        return false;
      }
      Version since = findWord(name.text)->since;
      if (c_.effective < since) {
        std::string hint = code == ErrorCode::BagFull ? " (raised by bagput)" : "";
        c_.error(name.loc, "'" + name.text + "'" + hint + " needs VP " + since.str());
        return false;
      }
      mask |= 1u << static_cast<uint32_t>(code);
    }
    return true;
  }

  Checker& c_;
  const SExpr& s_;
  Program& p_;
};

Expr* Checker::v11Form(const SExpr& s, std::string_view name, Want want) {
  V11Checker v(*this, s);
  if (name == "let") return v.let(want);
  if (name == "while") return v.loop(Op::While);
  if (name == "dowhile") return v.loop(Op::DoWhile);
  if (name == "for") return v.loop(Op::For);
  if (name == "break") return v.jump(Op::Break);
  if (name == "continue") return v.jump(Op::Continue);
  if (name == "return") return v.ret();
  if (name == "try") return v.tryForm(want);
  return v.foreach();
}

}  // namespace vp
