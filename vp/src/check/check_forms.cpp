// The special forms of VP 1.0 (setint, setstr, cond, do) and the operators.
#include "vp/src/check/checker_impl.h"
#include "vp/vocabulary.h"

namespace vp {

namespace {

// What each operator of the vocabulary (vp/vocabulary.h, which holds their
// operand counts) computes; those with more operands fold left.
struct OpInfo {
  std::string_view name;
  Op op;
};

constexpr OpInfo kOps[] = {
    {"+", Op::Add},     {"-", Op::Sub},     {"*", Op::Mul},     {"/", Op::Div},
    {"%", Op::Mod},     {"<<", Op::Shl},    {">>", Op::Shr},    {"&", Op::BitAnd},
    {"|", Op::BitOr},   {"^", Op::BitXor},  {"~", Op::BitNot},  {"&&", Op::LogAnd},
    {"||", Op::LogOr},  {"!", Op::Not},     {"==", Op::Eq},     {"=", Op::Eq},
    {"!=", Op::Ne},     {"<", Op::Lt},      {">", Op::Gt},      {"<=", Op::Le},
    {">=", Op::Ge},
};

constexpr bool everyOperatorComputes() {
  size_t operators = 0;
  for (const auto& w : kVocabulary) {
    if (w.kind != WordKind::Operator) continue;
    ++operators;
    bool found = false;
    for (const auto& o : kOps) found = found || o.name == w.name;
    if (!found) return false;
  }
  return operators == std::size(kOps);
}
static_assert(everyOperatorComputes(), "an operator of the vocabulary has no Op here");

std::string operandCount(int n) {
  return std::to_string(n) + (n == 1 ? " operand" : " operands");
}

}  // namespace

Expr* Checker::operatorCall(const SExpr& s, std::string_view name) {
  const OpInfo* info = nullptr;
  for (const auto& o : kOps) {
    if (o.name == name) info = &o;
  }
  const Signature& sig = findWord(name)->sig;
  int n = static_cast<int>(s.items.size()) - 1;
  if (n < sig.minArgs || (sig.maxArgs != kUnbounded && n > sig.maxArgs)) {
    std::string want = sig.maxArgs == sig.minArgs
                           ? operandCount(sig.minArgs)
                           : "at least " + operandCount(sig.minArgs);
    error(s.loc, "'" + std::string(name) + "' takes " + want + ", got " + std::to_string(n));
    return invalid(s.loc);
  }
  std::vector<Expr*> args;
  for (int i = 1; i <= n; ++i) args.push_back(expr(s.items[i], Want::Int));
  if (n == 1) {
    Op op = info->op == Op::Sub ? Op::Neg : info->op;
    Expr* e = p_.make(op, Type::Int, s.loc);
    e->kids.push_back(args[0]);
    return e;
  }
  Expr* acc = args[0];
  for (int i = 1; i < n; ++i) {
    Expr* e = p_.make(info->op, Type::Int, s.loc);
    e->kids = {acc, args[i]};
    acc = e;
  }
  return acc;
}

std::string Checker::notAVariable(const std::string& name) {
  auto it = top_.find(name);
  if (it == top_.end()) return "unknown variable '" + name + "'";
  switch (it->second.kind) {
    case SymKind::Aggr: return "'" + name + "' is an aggregate, not a variable";
    case SymKind::Bag: return "'" + name + "' is a bag, not a variable";
    case SymKind::Func: return "'" + name + "' is a function, not a variable";
    default: return "unknown variable '" + name + "'";
  }
}

bool Checker::assignable(const SExpr& name, Type type, VarRef& out, const char* form) {
  if (!name.isSymbol()) {
    error(name.loc, std::string(form) + " needs a variable name here");
    return false;
  }
  bool isBuiltin = false;
  if (!lookupVar(name.text, out, isBuiltin)) {
    if (isBuiltin) {
      error(name.loc, "cannot assign to built-in '" + name.text + "': built-ins are read-only");
    } else {
      error(name.loc, notAVariable(name.text));
    }
    return false;
  }
  constrain(out, type);
  if (out.type != type && out.type != Type::Unknown) {
    std::string f = form;
    bool set = f == "setint" || f == "setstr";
    error(name.loc, "'" + name.text + "' is " +
                        (out.type == Type::Str ? "a string variable; " : "an integer variable; ") +
                        (set ? (out.type == Type::Str ? "use setstr" : "use setint")
                             : f + " needs an integer variable"));
    return false;
  }
  return true;
}

bool Checker::destination(const SExpr& name, VarRef& out) {
  if (!name.isSymbol()) {
    error(name.loc, "expected a string variable to store into");
    return false;
  }
  bool isBuiltin = false;
  if (!lookupVar(name.text, out, isBuiltin)) {
    error(name.loc, isBuiltin ? "cannot store into built-in '" + name.text + "'"
                              : notAVariable(name.text));
    return false;
  }
  constrain(out, Type::Str);
  if (out.type == Type::Int) {
    error(name.loc, "'" + name.text + "' is an integer variable; a string variable is needed here");
    return false;
  }
  return true;
}

bool Checker::intVariable(const SExpr& name, VarRef& out, const char* form) {
  return assignable(name, Type::Int, out, form);
}

Expr* Checker::setVar(const SExpr& s, bool isStr) {
  const char* form = isStr ? "setstr" : "setint";
  if (s.items.size() != 3) {
    error(s.loc, std::string(form) + " takes a variable and a value");
    return invalid(s.loc);
  }
  VarRef ref;
  Type type = isStr ? Type::Str : Type::Int;
  bool ok = assignable(s.items[1], type, ref, form);
  Expr* value = expr(s.items[2], isStr ? Want::Str : Want::Int);
  if (!ok) return invalid(s.loc);
  Expr* e = p_.make(isStr ? Op::SetStr : Op::SetInt, type, s.loc);
  e->var = ref;
  e->kids.push_back(value);
  return e;
}

Expr* Checker::cond(const SExpr& s, Want want) {
  if (s.items.size() < 2) {
    error(s.loc, "cond needs at least one clause: (cond (test expr) ...)");
    return invalid(s.loc);
  }
  Want branch = (want == Want::Int || want == Want::Str) ? want : Want::Any;
  Expr* e = p_.make(Op::Cond, Type::Unknown, s.loc);
  for (size_t i = 1; i < s.items.size(); ++i) {
    const SExpr& clause = s.items[i];
    if (!clause.isList() || clause.items.size() < 2) {
      error(clause.loc, "a cond clause is a list of a test and an expression: (test expr)");
      return invalid(s.loc);
    }
    e->kids.push_back(expr(clause.items[0], Want::Int));
    Expr* b = body(clause.items, 1, branch, clause.loc);
    e->kids.push_back(b);
    e->type = unify(e->type, b->type);
  }
  return e;
}

Expr* Checker::doForm(const SExpr& s, Want want) {
  if (s.items.size() < 2) {
    error(s.loc, "do needs at least one expression");
    return invalid(s.loc);
  }
  return body(s.items, 1, want, s.loc);
}

Expr* Checker::newForm(const SExpr& s, std::string_view name, Want want, bool& known) {
  const Word* w = findWord(name);
  known = w && w->kind == WordKind::Form;
  if (!known) return nullptr;
  if (!needVersion(s, w->since)) return invalid(s.loc);
  if (name == "setint") return setVar(s, false);
  if (name == "setstr") return setVar(s, true);
  if (name == "cond") return cond(s, want);
  if (name == "do") return doForm(s, want);
  return v11Form(s, name, want);
}

}  // namespace vp
