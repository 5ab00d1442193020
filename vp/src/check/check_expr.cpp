// Expressions: literals, names, calls, and the type rules that tie them.
#include <cstring>

#include "vp/src/check/checker_impl.h"
#include "vp/src/check/reserved.h"
#include "vp/vocabulary.h"

namespace vp {

const char* typeName(Type t) {
  switch (t) {
    case Type::Int: return "an integer";
    case Type::Str: return "a string";
    case Type::None: return "no value";
    default: return "an unknown type";
  }
}

Type Checker::unify(Type a, Type b) {
  if (a == Type::Unknown) return b;
  if (b == Type::Unknown) return a;
  return a == b ? a : Type::None;
}

Expr* Checker::conform(Expr* e, Want want, Loc at) {
  bool ok = true;
  switch (want) {
    case Want::Any: break;
    case Want::Value: ok = e->type != Type::None; break;
    case Want::Int: ok = e->type == Type::Int || e->type == Type::Unknown; break;
    case Want::Str: ok = e->type == Type::Str || e->type == Type::Unknown; break;
  }
  if (!ok) {
    error(at, std::string("expected ") + wantName(want) + " here, but this is " +
                  typeName(e->type));
  }
  return e;
}

void Checker::constrain(VarRef& ref, Type t) {
  if (ref.where != VarRef::Where::Param || ref.type != Type::Unknown) return;
  if (t != Type::Int && t != Type::Str) return;
  ref.type = t;
  fn_->params[ref.index].type = t;
  for (auto& l : scope_) {
    if (l.ref.where == VarRef::Where::Param && l.ref.index == ref.index) l.ref.type = t;
  }
  changed_ = true;
}

Expr* Checker::constant(const SExpr& s, Want want) {
  if (s.kind == SExpr::Kind::Integer) {
    Expr* e = p_.make(Op::IntConst, Type::Int, s.loc);
    e->imm = s.value;
    return conform(e, want, s.loc);
  }
  Expr* e = p_.make(Op::StrConst, Type::Str, s.loc);
  auto& consts = p_.strConsts;
  size_t i = 0;
  while (i < consts.size() && consts[i] != s.text) ++i;
  if (i == consts.size()) consts.push_back(s.text.substr(0, kStrBytes - 1));
  e->index = static_cast<uint32_t>(i);
  return conform(e, want, s.loc);
}

bool Checker::lookupTop(const std::string& name, SymKind kind, uint32_t& index) {
  auto it = top_.find(name);
  if (it == top_.end() || it->second.kind != kind) return false;
  index = it->second.index;
  return true;
}

bool Checker::lookupVar(const std::string& name, VarRef& out, bool& isBuiltin) {
  isBuiltin = false;
  for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
    if (it->name == name) {
      out = it->ref;
      return true;
    }
  }
  auto it = top_.find(name);
  if (it != top_.end()) {
    switch (it->second.kind) {
      case TopSym::Kind::Int: out = {VarRef::Where::Thread, Type::Int, it->second.index}; return true;
      case TopSym::Kind::Str: out = {VarRef::Where::Thread, Type::Str, it->second.index}; return true;
      case TopSym::Kind::Shared: out = {VarRef::Where::Shared, Type::Int, it->second.index}; return true;
      default: return false;
    }
  }
  Global g;
  isBuiltin = findGlobal(name, g);
  return false;
}

Expr* Checker::symbol(const SExpr& s, Want want) {
  VarRef ref;
  bool isBuiltin = false;
  if (lookupVar(s.text, ref, isBuiltin)) {
    if (want == Want::Int) constrain(ref, Type::Int);
    if (want == Want::Str) constrain(ref, Type::Str);
    Expr* e = p_.make(Op::Var, ref.type, s.loc);
    e->var = ref;
    return conform(e, want, s.loc);
  }
  Global g;
  if (findGlobal(s.text, g)) {
    if (globalInfo(g).group >= 0) p_.regGroups |= 1u << globalInfo(g).group;
    Expr* e = p_.make(Op::Global, globalInfo(g).isString ? Type::Str : Type::Int, s.loc);
    e->index = static_cast<uint32_t>(g);
    return conform(e, want, s.loc);
  }
  Expr* bad = invalid(s.loc);
  auto it = top_.find(s.text);
  if (it != top_.end() && it->second.kind == TopSym::Kind::Func) {
    error(s.loc, "'" + s.text + "' is a function; call it as (" + s.text + " ...)");
  } else if (it != top_.end()) {
    const char* what = it->second.kind == TopSym::Kind::Aggr ? "an aggregate" : "a bag";
    error(s.loc, "'" + s.text + "' is " + what + " and has no value to read");
  } else if (isReservedName(s.text, effective)) {
    error(s.loc, "'" + s.text + "' is a built-in; call it as (" + s.text + " ...)");
  } else {
    error(s.loc, "unknown variable '" + s.text + "'");
  }
  return bad;
}

Expr* Checker::body(const std::vector<SExpr>& items, size_t from, Want want, Loc at) {
  Expr* d = p_.make(Op::Do, Type::Int, at);
  for (size_t i = from; i < items.size(); ++i) {
    bool last = i + 1 == items.size();
    d->kids.push_back(expr(items[i], last ? want : Want::Any));
  }
  if (d->kids.empty()) {
    d->type = Type::None;
  } else {
    d->type = d->kids.back()->type;
  }
  return d;
}

Expr* Checker::expr(const SExpr& s, Want want) {
  switch (s.kind) {
    case SExpr::Kind::Integer:
    case SExpr::Kind::String: return constant(s, want);
    case SExpr::Kind::Symbol: return symbol(s, want);
    case SExpr::Kind::List: return conform(call(s, want), want, s.loc);
  }
  return nullptr;
}

Expr* Checker::invalid(Loc at) {
  // Unknown type: conforms to anything, so one mistake gives one message.
  return p_.make(Op::IntConst, Type::Unknown, at);
}

Expr* Checker::call(const SExpr& s, Want want) {
  if (s.items.empty()) {
    error(s.loc, "empty expression '()'");
    return invalid(s.loc);
  }
  if (!s.items[0].isSymbol()) {
    error(s.items[0].loc, "expected the name of a function or form after '('");
    return invalid(s.loc);
  }
  const std::string& name = s.items[0].text;
  // A user function may carry the name of a form newer than the script's
  // version (the definition was allowed); it is the function then.
  uint32_t fn;
  if (lookupTop(name, SymKind::Func, fn)) return userCall(s, fn);
  bool known = false;
  Expr* e = newForm(s, name, want, known);
  if (known) return e;
  if (isOperatorName(name)) return operatorCall(s, name);
  BuiltinId id;
  if (findBuiltin(name, id)) {
    if (!needVersion(s, builtinInfo(id).since)) return invalid(s.loc);
    return builtinCall(s, id);
  }
  if (isKind(name, WordKind::Definition)) {
    error(s.loc, "'" + name + "' is only allowed at top level");
  } else if (name == "\xe2\x80\x93" || name == "\xe2\x80\x94") {
    error(s.items[0].loc, "unknown function '" + name + "' (a dash, not '-': "
                          "text copied from a PDF?)");
  } else {
    error(s.items[0].loc, "unknown function '" + name + "'");
  }
  return invalid(s.loc);
}

}  // namespace vp
