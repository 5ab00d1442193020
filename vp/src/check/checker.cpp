// Top level of the checker: definitions, limits, versions, and the
// inference loop over function bodies.
#include "vp/src/checker.h"

#include <algorithm>

#include "vp/src/check/checker_impl.h"
#include "vp/src/check/reserved.h"
#include "vp/vocabulary.h"

namespace vp {

namespace {

constexpr size_t kMaxNameBytes = 63;
constexpr size_t kMaxProbes = 32;
constexpr uint64_t kMaxAggrKeys = 8;

std::string where(Loc l) {
  return std::to_string(l.line) + ":" + std::to_string(l.col);
}

}  // namespace

const char* wantName(Want w) {
  switch (w) {
    case Want::Int: return "an integer";
    case Want::Str: return "a string";
    default: return "a value";
  }
}

void Checker::error(Loc at, std::string message) {
  // Definitions are checked once; bodies many times, reported only in the
  // final pass.
  if (final_ || !fn_) diags_.error(at, std::move(message));
}

bool Checker::needVersion(const SExpr& form, Version v) {
  if (effective >= v) return true;
  error(form.loc, "'" + std::string(form.head()) + "' needs VP " + v.str() + "; " + versionWhy());
  return false;
}

std::string Checker::versionWhy() const {
  return versionIsDeclared && effective == p_.declared
             ? "this script declares version " + p_.declared.str()
             : "the engine behaves as VP " + engine.str();
}

void Checker::noteDestructive(BuiltinId id, Loc at) {
  if (!final_ || !fn_) return;
  p_.destructive.push_back({id, at, static_cast<uint32_t>(fn_ - p_.functions.data())});
}

bool Checker::validName(const SExpr& name, const char* what) {
  if (!name.isSymbol()) {
    error(name.loc, std::string("expected the name of the ") + what);
    return false;
  }
  if (name.text.size() > kMaxNameBytes) {
    error(name.loc, "name '" + name.text.substr(0, 20) + "...' is " +
                        std::to_string(name.text.size()) +
                        " bytes; names are limited to 63");
    return false;
  }
  if (isCapitalsName(name.text)) {
    error(name.loc, "'" + name.text +
                        "' is reserved: names in all capitals belong to VProbes");
    return false;
  }
  if (isReservedName(name.text, effective)) {
    error(name.loc, "'" + name.text + "' is a built-in and cannot be redefined");
    return false;
  }
  return true;
}

bool Checker::declare(const SExpr& name, TopSym::Kind kind, uint32_t index) {
  auto [it, fresh] = top_.emplace(name.text, TopSym{kind, index, name.loc});
  if (!fresh) {
    error(name.loc, "redefinition of '" + name.text + "' (first defined at " +
                        where(it->second.loc) + ")");
  }
  return fresh;
}

void Checker::version(const SExpr& form) {
  // A string per the reference, or a bare M.N as the 2011 Emmett compiler
  // printed it (the parser lets that through only here).
  const bool bare = form.items.size() == 2 && form.items[1].isSymbol();
  if (form.items.size() != 2 || (form.items[1].kind != SExpr::Kind::String && !bare)) {
    error(form.loc, "version takes one version, e.g. (version \"1.0\") or (version 1.0)");
    return;
  }
  Version v;
  if (!parseVersion(form.items[1].text, v)) {
    std::string shown = bare ? form.items[1].text : "\"" + form.items[1].text + "\"";
    error(form.items[1].loc, "malformed version " + shown + ": expected MAJOR.MINOR");
    return;
  }
  if (versionIsDeclared) {
    error(form.loc, "version is declared twice");
    return;
  }
  versionIsDeclared = true;
  p_.hasVersion = true;
  p_.declared = v;
  // Table 3-1 of the reference.
  if (v.major > engine.major) {
    error(form.loc, "script requires VP " + v.str() + "; this engine runs VP " +
                        engine.str() + " and refuses a newer major version");
  } else if (v.major < engine.major) {
    diags_.warning(form.loc, "script targets VP " + v.str() +
                                 ", an older major version than this engine's " +
                                 engine.str() + "; attempting to run it");
  } else if (v.minor > engine.minor) {
    diags_.warning(form.loc, "script targets VP " + v.str() + ", newer than this engine's " +
                                 engine.str() + "; it may use features this engine lacks");
  }
}

void Checker::defVariable(const SExpr& form, std::string_view head) {
  bool isInt = head == "definteger";
  const auto& it = form.items;
  if (it.size() < 2 || it.size() > 3) {
    error(form.loc, std::string(head) + " takes a name and an optional initial value");
    return;
  }
  if (!validName(it[1], "variable")) return;
  if (isInt) {
    IntVar v{it[1].text, 0};
    if (it.size() == 3) {
      if (it[2].kind != SExpr::Kind::Integer) {
        error(it[2].loc, "the initial value of an integer variable must be an integer literal");
        return;
      }
      v.init = it[2].value;
    }
    if (declare(it[1], TopSym::Kind::Int, static_cast<uint32_t>(p_.ints.size()))) {
      p_.ints.push_back(v);
    }
    return;
  }
  StrVar v{it[1].text, ""};
  if (it.size() == 3) {
    if (it[2].kind != SExpr::Kind::String) {
      error(it[2].loc, "the initial value of a string variable must be a string literal");
      return;
    }
    v.init = it[2].text.substr(0, kStrBytes - 1);
  }
  if (declare(it[1], TopSym::Kind::Str, static_cast<uint32_t>(p_.strs.size()))) {
    p_.strs.push_back(v);
  }
}

void Checker::defAggrOrBag(const SExpr& form, std::string_view head) {
  const auto& it = form.items;
  bool isAggr = head == "defaggr";
  size_t want = isAggr ? 4 : 3;
  if (it.size() != want) {
    error(form.loc, isAggr ? "defaggr takes a name, the number of integer keys "
                             "and the number of string keys"
                           : "defbag takes a name and a size");
    return;
  }
  if (!validName(it[1], isAggr ? "aggregate" : "bag")) return;
  for (size_t i = 2; i < it.size(); ++i) {
    if (it[i].kind != SExpr::Kind::Integer) {
      error(it[i].loc, std::string(head) + " needs an integer literal here");
      return;
    }
  }
  if (isAggr) {
    if (it[2].value > kMaxAggrKeys || it[3].value > kMaxAggrKeys) {
      error(form.loc, "aggregates have at most 8 integer and 8 string keys");
      return;
    }
    if (declare(it[1], TopSym::Kind::Aggr, static_cast<uint32_t>(p_.aggrs.size()))) {
      p_.aggrs.push_back({it[1].text, static_cast<uint32_t>(it[2].value),
                          static_cast<uint32_t>(it[3].value), std::nullopt});
    }
    return;
  }
  if (it[2].value == 0 || it[2].value > (1u << 24)) {
    error(it[2].loc, "a bag holds between 1 and 16777216 pairs");
    return;
  }
  if (declare(it[1], TopSym::Kind::Bag, static_cast<uint32_t>(p_.bags.size()))) {
    p_.bags.push_back({it[1].text, it[2].value});
  }
}

// (defhist NAME NINT NSTR [MIN MAX STEP]): an aggregate whose last integer
// key is a sample put in a power-of-two bucket, or a linear one.
void Checker::defHist(const SExpr& form) {
  if (!needVersion(form, {1, 3})) return;
  const auto& it = form.items;
  if (it.size() != 4 && it.size() != 7) {
    error(form.loc, "defhist takes a name, the number of integer keys (the last one is the "
                    "bucket) and of string keys, and for linear buckets the minimum, the "
                    "maximum and the step");
    return;
  }
  if (!validName(it[1], "aggregate")) return;
  for (size_t i = 2; i < it.size(); ++i) {
    if (it[i].kind != SExpr::Kind::Integer) {
      error(it[i].loc, "defhist needs an integer literal here");
      return;
    }
  }
  if (it[2].value == 0 || it[2].value > kMaxAggrKeys || it[3].value > kMaxAggrKeys) {
    error(form.loc, "a histogram has 1 to 8 integer keys (the last one is the bucket) and at "
                    "most 8 string keys");
    return;
  }
  HistShape shape;
  if (it.size() == 7) {
    // Literals are 64-bit patterns; the bounds are read as signed (-10 is -10).
    shape = {HistKind::Linear, static_cast<int64_t>(it[4].value),
             static_cast<int64_t>(it[5].value), static_cast<int64_t>(it[6].value)};
    std::string_view why = linearShapeError(shape.min, shape.max, shape.step);
    if (!why.empty()) {
      error(it[4].loc, "bad linear histogram: " + std::string(why));
      return;
    }
  }
  if (declare(it[1], TopSym::Kind::Aggr, static_cast<uint32_t>(p_.aggrs.size()))) {
    p_.aggrs.push_back({it[1].text, static_cast<uint32_t>(it[2].value),
                        static_cast<uint32_t>(it[3].value), shape});
  }
}

void Checker::defShared(const SExpr& form) {
  if (!needVersion(form, {1, 2})) return;
  const auto& it = form.items;
  if (it.size() < 3 || it.size() > 4) {
    error(form.loc, "defshared takes a name, a scope (pervm, pervmk or perhost) "
                    "and an optional initial value");
    return;
  }
  if (!validName(it[1], "shared integer")) return;
  if (!it[2].isSymbol() || !isKind(it[2].text, WordKind::Scope)) {
    error(it[2].loc, "the scope of a shared integer is pervm, pervmk or perhost");
    return;
  }
  SharedVar v{it[1].text, it[2].text, 0};
  if (it.size() == 4) {
    if (it[3].kind != SExpr::Kind::Integer) {
      error(it[3].loc, "the initial value of a shared integer must be an integer literal");
      return;
    }
    v.init = it[3].value;
  }
  if (declare(it[1], TopSym::Kind::Shared, static_cast<uint32_t>(p_.shareds.size()))) {
    p_.shareds.push_back(v);
  }
}

void Checker::defFunction(const SExpr& form) {
  const auto& it = form.items;
  if (it.size() < 4 || !it[2].isList()) {
    error(form.loc, "defun takes a name, a parameter list and a body: "
                    "(defun name (a b) expr...)");
    return;
  }
  if (!validName(it[1], "function")) return;
  Function fn;
  fn.name = it[1].text;
  fn.loc = it[1].loc;
  for (const auto& param : it[2].items) {
    if (!validName(param, "parameter")) return;
    for (const auto& other : fn.params) {
      if (other.name == param.text) {
        error(param.loc, "parameter '" + param.text + "' is listed twice");
        return;
      }
    }
    fn.params.push_back({param.text, Type::Unknown});
  }
  if (fn.params.size() > kMaxArgs) {
    error(it[2].loc, "a function takes at most 16 parameters");
    return;
  }
  if (declare(it[1], TopSym::Kind::Func, static_cast<uint32_t>(p_.functions.size()))) {
    p_.functions.push_back(std::move(fn));
    fnForms_.push_back(&form);
  }
}

void Checker::defProbe(const SExpr& form) {
  const auto& it = form.items;
  if (it.size() < 2 || !it[1].isSymbol()) {
    error(form.loc, "vprobe takes a probe name and a body: (vprobe VMM1Hz expr...)");
    return;
  }
  if (probeForms_.size() == kMaxProbes) {
    error(form.loc, "too many probes: a script has at most 32");
    return;
  }
  if (it[1].text.size() > kMaxNameBytes) {
    error(it[1].loc, "probe name is " + std::to_string(it[1].text.size()) +
                         " bytes; names are limited to 63");
    return;
  }
  ProbeDef probe;
  std::string why;
  if (!parseProbePoint(it[1].text, probe.point, why, symbols)) {
    error(it[1].loc, why);
    return;
  }
  if (probe.point.kind == ProbePoint::Kind::GuestExit && effective < kGuestExitSince) {
    error(it[1].loc, "the return probe " + it[1].text + " needs VP " + kGuestExitSince.str() +
                         "; " + versionWhy());
    return;
  }
  probeForms_.push_back(&form);
  p_.probes.push_back(probe);
}

void Checker::collect(const SExpr& form) {
  std::string_view head = form.head();
  if (head == "definteger" || head == "defstring") defVariable(form, head);
  else if (head == "defaggr" || head == "defbag") defAggrOrBag(form, head);
  else if (head == "defshared") defShared(form);
  else if (head == "defhist") defHist(form);
  else if (head == "defun") defFunction(form);
  else if (head == "vprobe") defProbe(form);
  else if (!form.isList()) error(form.loc, "expected a definition like (vprobe ...) or (defun ...) here");
  else error(form.loc, "only definitions are allowed at top level; "
                       "expressions go inside a vprobe or defun");
}

void Checker::checkFunction(uint32_t index) {
  fn_ = &p_.functions[index];
  scope_.clear();
  for (uint32_t i = 0; i < fn_->params.size(); ++i) {
    scope_.push_back({fn_->params[i].name,
                      VarRef{VarRef::Where::Param, fn_->params[i].type, i}});
  }
  fn_->locals.clear();
  loopDepth = 0;
  tryDepth = 0;
  const SExpr& form = fn_->isProbe ? *probeForms_[index - fnForms_.size()] : *fnForms_[index];
  size_t from = fn_->isProbe ? 2 : 3;
  Type before = fn_->ret;
  returns = Type::Unknown;
  fn_->body = body(form.items, from, Want::Any, form.loc);
  if (!fn_->isProbe && !final_) {
    Type t = unify(returns, fn_->body->type);
    if (t != before) changed_ = true;
    fn_->ret = t;
  }
  fn_ = nullptr;
}

void Checker::checkFunctions(bool final) {
  final_ = final;
  p_.nodes.clear();
  for (uint32_t i = 0; i < p_.functions.size(); ++i) checkFunction(i);
}

void Checker::run(const std::vector<SExpr>& forms) {
  // The version decides what the rest may use, wherever it is written.
  for (const auto& f : forms) {
    if (f.head() == "version") version(f);
  }
  // A script of an older major version is run with what VP 1.0 offers.
  effective = versionIsDeclared ? std::clamp(p_.declared, kOldestVersion, engine) : engine;
  for (const auto& f : forms) {
    if (f.head() != "version") collect(f);
  }
  if (!diags_.failed()) checkBodies();
}

void Checker::checkBodies() {
  // Probe bodies are functions without parameters, after the user functions.
  for (size_t i = 0; i < p_.probes.size(); ++i) {
    Function fn;
    fn.name = p_.probes[i].point.name;
    fn.loc = probeForms_[i]->loc;
    fn.isProbe = true;
    fn.ret = Type::None;
    p_.probes[i].function = static_cast<uint32_t>(p_.functions.size());
    p_.functions.push_back(std::move(fn));
  }
  // Each inference pass either learns a type or ends the loop; a type only
  // moves from unknown to known to none, so this terminates.
  for (size_t pass = 0; pass < 4 * p_.functions.size() + 4; ++pass) {
    changed_ = false;
    checkFunctions(false);
    if (!changed_) break;
  }
  for (auto& fn : p_.functions) {
    for (auto& param : fn.params) {
      if (param.type == Type::Unknown) param.type = Type::Int;
    }
    if (fn.ret == Type::Unknown) fn.ret = Type::Int;
  }
  checkFunctions(true);
}

std::unique_ptr<Program> checkProgram(const std::vector<SExpr>& forms,
                                      Version engine, Diagnostics& diags,
                                      const GuestSymbols* symbols) {
  auto p = std::make_unique<Program>();
  p->file = diags.file();
  p->engine = engine;
  Checker c(*p, diags);
  c.engine = engine;
  c.symbols = symbols;
  c.run(forms);
  if (diags.failed()) return nullptr;
  return p;
}

}  // namespace vp
