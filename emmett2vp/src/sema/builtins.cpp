#include "emmett2vp/src/sema/builtins.h"

#include <stdexcept>
#include <string>

#include "vp/vocabulary.h"

namespace emmett {

namespace {
using A = ArgKind;

// What Emmett's type checker asks of an argument the VP built-in takes.
// The others (bags, key lists) are Emmett syntax, not call arguments.
ArgKind argKind(vp::Arg a) {
  switch (a) {
    case vp::Arg::Int: case vp::Arg::Size: return A::Int;
    case vp::Arg::Reg: return A::Int;  // a REG_* constant, lowered to the name
    case vp::Arg::Str: case vp::Arg::Format: return A::Str;
    case vp::Arg::StrVar: return A::StrVar;
    case vp::Arg::Aggr: return A::Aggr;
    case vp::Arg::Shared: return A::Shared;
    default: break;
  }
  throw std::logic_error("a VP built-in exposed to Emmett takes a bag or key list");
}

// The Emmett built-in that is VP's `name` called the same way; `extra`
// are optional arguments Emmett adds (lowered to other VP).
BuiltinFunc fromVp(std::string_view name, std::vector<ArgKind> extra = {}) {
  const vp::Word* w = vp::findWord(name);
  if (!w || (w->kind != vp::WordKind::Function && w->kind != vp::WordKind::FunctionAlias))
    throw std::logic_error("not a VP built-in function: " + std::string(name));
  BuiltinFunc b{name, {}, w->sig.minArgs, w->sig.variadic(), w->since};
  for (size_t i = 0; i < w->sig.fixed; ++i) b.args.push_back(argKind(w->sig.args[i]));
  b.args.insert(b.args.end(), extra.begin(), extra.end());
  return b;
}

vp::Version histSince() { return vp::findWord("defhist")->since; }

const std::vector<BuiltinFunc>& table() {
  static const std::vector<BuiltinFunc> t = {
      fromVp("printf"), fromVp("sprintf"), fromVp("logint"), fromVp("logstr"),
      fromVp("strcmp"),
      fromVp("getguest"),     // 2 arguments: VP 1.1
      fromVp("getgueststr"), fromVp("getguestphys"),
      fromVp("gueststack"),   // 2 arguments: VP 1.2
      fromVp("getsystemtime"), fromVp("exit"), fromVp("offatret"), fromVp("offatseg"),
      fromVp("offatstrcpy"), fromVp("offatstrncpy"),
      fromVp("logaggr", {A::Int}),  // logaggr(a, 1): a printa (VP 1.2)
      fromVp("clearaggr"), fromVp("printa"), fromVp("fetchadd"), fromVp("cmpxchg"),
      fromVp("writeint"),
      // VP 1.3's destructive built-ins (fault injection): setgpr takes a
      // REG_* constant as getgpr does.
      fromVp("setgpr"), fromVp("setguest"), fromVp("skipfunction"), fromVp("genmce"),
      // Emmett's own: the 2011 compiler's readers of a VMCS field (VT_*) and
      // a register (REG_*): their constant argument picks a built-in global.
      {"getvmcs", {A::Int}, 1, false, {1, 0}},
      {"getgpr", {A::Int}, 1, false, {1, 0}},
      // Histogram samples (`a[k] <- hist(x)`): a VP defhist aggregate.
      {"hist", {A::Int}, 1, false, histSince()},
      {"quantize", {A::Int}, 1, false, histSince()},
      {"lhist", {A::Int, A::Int, A::Int, A::Int}, 4, false, histSince()},
      {"lquantize", {A::Int, A::Int, A::Int, A::Int}, 4, false, histSince()},
  };
  return t;
}
}  // namespace

const BuiltinFunc* findBuiltinFunc(std::string_view name) {
  for (const auto& b : table())
    if (b.name == name) return &b;
  return nullptr;
}

bool isHistogramFunc(std::string_view name) {
  return name == "hist" || name == "quantize" || isLinearHistogramFunc(name);
}

bool isLinearHistogramFunc(std::string_view name) { return name == "lhist" || name == "lquantize"; }

const ast::Call* histogramCall(const ast::Expr& e) {
  if (e.kind != ast::NodeKind::Call) return nullptr;
  const auto& c = static_cast<const ast::Call&>(e);
  return !c.fn && isHistogramFunc(c.name) ? &c : nullptr;
}

std::string_view engineErrorName(std::string_view n) {
  // The slides' names carry the domain (VmkMemAccessError); the engine's
  // do not. Emmett spellings of the same errors are accepted too.
  for (std::string_view prefix : {"Vmk", "Vmm", "Vmx", "Guest"})
    if (n.size() > prefix.size() && n.substr(0, prefix.size()) == prefix) {
      n.remove_prefix(prefix.size());
      break;
    }
  if (n == "DivZeroError" || n == "DivideByZeroError") return "DivideError";
  if (n == "TimeoutError" || n == "CostError") return "BudgetError";
  const vp::Word* w = vp::findWord(n);
  return w && w->kind == vp::WordKind::ErrorName ? w->name : std::string_view{};
}

const char* engineErrorNames() {
  static const std::string names = [] {
    std::string s;
    for (const auto& w : vp::kVocabulary)
      if (w.kind == vp::WordKind::ErrorName) s += (s.empty() ? "" : ", ") + std::string(w.name);
    return s;
  }();
  return names.c_str();
}

}  // namespace emmett
