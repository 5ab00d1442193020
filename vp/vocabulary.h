// VP's vocabulary: every name the language gives a meaning to (definitions,
// special forms, operators, built-in functions and globals with their other
// spellings, the error names `catch` takes, defshared's scopes, type names),
// the VP version each appears in, and the signature of those called like
// functions.
//
// This is the one list. The engine's checker reads it for arity, version
// gating and the names a script may not define; the Emmett compiler reads
// it for the names its mangler avoids and the VP built-ins it maps onto.
// A name added to VP is added here, and both follow.
//
// Header-only and constexpr, so that libraries which do not link the engine
// (emmett2vp) use it too; its invariants are static_asserts at the end.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "vp/globals.h"
#include "vp/version.h"

namespace vp {

enum class WordKind : uint8_t {
  Definition,     // top level only: version, definteger, ..., vprobe
  Form,           // special forms in expressions: setint, cond, let, try...
  Clause,         // only inside another form: catch
  Operator,       // + - * ... ==
  Function,       // built-in functions
  FunctionAlias,  // another spelling of a built-in function
  Global,         // built-in globals (tables 2-1 to 2-5), vp/globals.h
  GlobalAlias,    // another spelling of a built-in global
  ErrorName,      // what `catch` takes
  Scope,          // defshared's scopes
  TypeName,       // the reference's names of VP's types
};

// What an argument of a built-in function must be.
enum class Arg : uint8_t {
  Int,      // an integer expression
  Size,     // the literal 1, 2, 4 or 8
  Str,      // a string expression
  Format,   // a printf format: a literal (checked at load) or a string
  StrVar,   // a string variable the built-in writes
  Aggr,     // an aggregate's name
  Bag,      // a bag's name
  Shared,   // a shared integer's name
  IntKeys,  // a list of integer keys
  StrKeys,  // a list of string keys
  Reg,      // the name of a general register (RAX ... R15)
};

enum class Result : uint8_t { None, Int, Str };

inline constexpr unsigned kMaxPrintArgs = 32;  // values after a format
inline constexpr uint8_t kUnbounded = 255;     // operators that fold left

struct Signature {
  std::array<Arg, 4> args{};  // the first `fixed` are typed as listed
  uint8_t fixed = 0;
  uint8_t minArgs = 0, maxArgs = 0;  // past `fixed`: any values (printf)
  // More than minArgs arguments need this version (getguest's size: 1.1).
  Version moreSince{1, 0};
  Result result = Result::None;

  constexpr bool variadic() const { return maxArgs > fixed; }
};

struct Word {
  std::string_view name;
  WordKind kind{};
  Version since{1, 0};
  Signature sig{};
  std::string_view aliasOf{};  // FunctionAlias, GlobalAlias: the name meant
  // The engine's number for it: the BuiltinId of a function, the Global of
  // a global, the ErrorCode of an error name (aliases: their target's).
  uint16_t id = 0;
};

// Built-in functions, in the engine's BuiltinId order.
// X(Id, name, since, (fixed args), min, max, more args since)
#define VP_FUNCTIONS(X)                                                       \
  X(Logstr, logstr, k10, (Str), 1, 1, k10)                                    \
  X(Logint, logint, k10, (Int), 1, 1, k10)                                    \
  X(Printf, printf, k10, (Format), 1, 1 + kMaxPrintArgs, k10)                 \
  X(Sprintf, sprintf, k10, (StrVar, Format), 2, 2 + kMaxPrintArgs, k10)       \
  X(Strcmp, strcmp, k10, (Str, Str), 2, 2, k10)                               \
  X(Getguest, getguest, k10, (Int, Size), 1, 2, k11)                          \
  X(Getgueststr, getgueststr, k10, (StrVar, Int, Int), 2, 3, k10)             \
  X(Gueststack, gueststack, k10, (StrVar, Int), 1, 2, k12)                    \
  X(Getguestphys, getguestphys, k10, (Int), 1, 1, k10)                        \
  X(Getsystemtime, getsystemtime, k10, (), 0, 0, k10)                         \
  X(Exit, exit, k10, (), 0, 0, k10)                                           \
  X(Offatret, offatret, k10, (Int), 1, 1, k10)                                \
  X(Offatseg, offatseg, k10, (Int), 1, 1, k10)                                \
  X(Offatstrcpy, offatstrcpy, k10, (Int, Int), 2, 2, k10)                     \
  X(Aggr, aggr, k10, (Aggr, IntKeys, StrKeys, Int), 4, 4, k10)                \
  X(Logaggr, logaggr, k10, (Aggr), 1, 1, k10)                                 \
  X(Clearaggr, clearaggr, k10, (Aggr), 1, 1, k10)                             \
  X(Baginsert, baginsert, k10, (Bag, Int, Int), 3, 3, k10)                    \
  X(Bagremove, bagremove, k10, (Bag, Int), 2, 2, k10)                         \
  X(Fetchadd, fetchadd, k12, (Shared, Int), 2, 2, k12)                        \
  X(Cmpxchg, cmpxchg, k12, (Shared, Int, Int), 3, 3, k12)                     \
  X(Writeint, writeint, k12, (Int, Int), 2, 2, k12)                           \
  X(Printa, printa, k12, (Aggr, Str), 1, 2, k12)                              \
  X(Bagput, bagput, k12, (Bag, Int, Int), 3, 3, k12)                         \
  X(Setgpr, setgpr, k13, (Reg, Int), 2, 2, k13)                               \
  X(Setguest, setguest, k13, (Int, Size, Int), 3, 3, k13)                     \
  X(Skipfunction, skipfunction, k13, (Int), 0, 1, k13)                        \
  X(Genmce, genmce, k13, (Int, Int, Int), 2, 3, k13)

// The errors a VP 1.1 `catch` names, in the engine's ErrorCode order
// (after None). X(Id, name, since)
#define VP_ERRORS(X)                                                          \
  X(MemAccess, MemAccessError, k11) X(Divide, DivideError, k11)               \
  X(Stack, StackError, k11) X(Budget, BudgetError, k11)                       \
  X(BagEmpty, BagEmptyError, k11) X(AggrFull, AggrFullError, k11)             \
  X(Format, FormatError, k11) X(VcpuState, VcpuStateError, k11)               \
  X(Decode, DecodeError, k11) X(BagFull, BagFullError, k12)

namespace vocab_detail {

inline constexpr Version k10{1, 0}, k11{1, 1}, k12{1, 2}, k13{1, 3};

constexpr Word word(std::string_view name, WordKind kind, Version since) {
  return Word{name, kind, since};
}

constexpr Word op(std::string_view name, uint8_t lo, uint8_t hi) {
  Word w{name, WordKind::Operator};
  w.sig.minArgs = lo;
  w.sig.maxArgs = hi;
  w.sig.result = Result::Int;
  return w;
}

struct ArgList {
  std::array<Arg, 4> args{};
  uint8_t count = 0;
};

template <class... A>
constexpr ArgList argList(A... args) {
  return {{args...}, static_cast<uint8_t>(sizeof...(args))};
}

constexpr Signature sig(uint8_t lo, uint8_t hi, Version more, ArgList a) {
  return Signature{a.args, a.count, lo, hi, more, Result::Int};
}

template <size_t... N>
constexpr auto join(const std::array<Word, N>&... parts) {
  std::array<Word, (N + ...)> out{};
  size_t i = 0;
  ((std::copy(parts.begin(), parts.end(), out.begin() + i), i += N), ...);
  return out;
}

using K = WordKind;

inline constexpr std::array<Word, 23> kForms{{
    word("version", K::Definition, k10),   word("definteger", K::Definition, k10),
    word("defstring", K::Definition, k10), word("defaggr", K::Definition, k10),
    word("defbag", K::Definition, k10),    word("defun", K::Definition, k10),
    word("vprobe", K::Definition, k10),    word("defshared", K::Definition, k12),
    word("defhist", K::Definition, k13),
    word("setint", K::Form, k10),          word("setstr", K::Form, k10),
    word("cond", K::Form, k10),            word("do", K::Form, k10),
    word("let", K::Form, k11),             word("while", K::Form, k11),
    word("dowhile", K::Form, k11),         word("for", K::Form, k11),
    word("break", K::Form, k11),           word("continue", K::Form, k11),
    word("return", K::Form, k11),          word("try", K::Form, k11),
    word("bagforeach", K::Form, k11),      word("catch", K::Clause, k11),
}};

inline constexpr std::array<Word, 21> kOperators{{
    op("+", 2, kUnbounded),  op("-", 1, kUnbounded), op("*", 2, kUnbounded),
    op("/", 2, 2),           op("%", 2, 2),          op("<<", 2, 2),
    op(">>", 2, 2),          op("&", 2, kUnbounded), op("|", 2, kUnbounded),
    op("^", 2, kUnbounded),  op("~", 1, 1),          op("&&", 2, kUnbounded),
    op("||", 2, kUnbounded), op("!", 1, 1),          op("==", 2, 2),
    op("=", 2, 2),           op("!=", 2, 2),         op("<", 2, 2),
    op(">", 2, 2),           op("<=", 2, 2),         op(">=", 2, 2),
}};

#define VP_VOCAB_UNPAREN(...) __VA_ARGS__
#define VP_VOCAB_FUNCTION(id, name, since, args, lo, hi, more) \
  Word{#name, K::Function, since, sig(lo, hi, more, argList(VP_VOCAB_UNPAREN args)), {}, n++},
inline constexpr auto kFunctions = [] {
  using enum Arg;
  uint16_t n = 0;
  return std::array{VP_FUNCTIONS(VP_VOCAB_FUNCTION)};
}();
#undef VP_VOCAB_FUNCTION
#undef VP_VOCAB_UNPAREN

constexpr uint16_t functionId(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (f.name == name) return f.id;
  }
  return UINT16_MAX;
}

// The reference's chapter 4 spelling.
inline constexpr std::array<Word, 1> kFunctionAliases{{
    Word{"offatstrncpy", K::FunctionAlias, k10,
         kFunctions[functionId("offatstrcpy")].sig, "offatstrcpy",
         functionId("offatstrcpy")},
}};

#define VP_VOCAB_GLOBAL(name, group, slot)                                  \
  Word{#name, K::Global, k10,                                              \
       Signature{{}, 0, 0, 0, k10,                                         \
                 std::string_view(#name) == "PROBENAME" ? Result::Str      \
                                                        : Result::Int},    \
       {}, static_cast<uint16_t>(Global::name)},
inline constexpr std::array kGlobals{VP_GLOBALS(VP_VOCAB_GLOBAL)};
#undef VP_VOCAB_GLOBAL

#define VP_VOCAB_GLOBAL_ALIAS(alias, global)                                \
  Word{#alias, K::GlobalAlias, k10,                                         \
       kGlobals[static_cast<size_t>(Global::global)].sig, #global,          \
       static_cast<uint16_t>(Global::global)},
inline constexpr std::array kGlobalAliases{VP_GLOBAL_ALIASES(VP_VOCAB_GLOBAL_ALIAS)};
#undef VP_VOCAB_GLOBAL_ALIAS

#define VP_VOCAB_ERROR(id, name, since) Word{#name, K::ErrorName, since, {}, {}, n++},
inline constexpr auto kErrors = [] {
  uint16_t n = 1;  // ErrorCode::None is 0
  return std::array{VP_ERRORS(VP_VOCAB_ERROR)};
}();
#undef VP_VOCAB_ERROR

inline constexpr std::array<Word, 6> kOtherWords{{
    word("pervm", K::Scope, k12),   word("pervmk", K::Scope, k12),
    word("perhost", K::Scope, k12), word("integer", K::TypeName, k10),
    word("string", K::TypeName, k10), word("none", K::TypeName, k10),
}};

}  // namespace vocab_detail

// Every word, grouped by kind (forms, operators, functions, globals, ...).
inline constexpr auto kVocabulary =
    vocab_detail::join(vocab_detail::kForms, vocab_detail::kOperators,
                       vocab_detail::kFunctions, vocab_detail::kFunctionAliases,
                       vocab_detail::kGlobals, vocab_detail::kGlobalAliases,
                       vocab_detail::kErrors, vocab_detail::kOtherWords);

// The index of the word spelled `name` in kVocabulary, or its size. (The
// constexpr checks use indices: GCC under ASan does not fold a comparison
// of a global's address with null.)
constexpr size_t wordIndex(std::string_view name) {
  size_t i = 0;
  while (i < kVocabulary.size() && kVocabulary[i].name != name) ++i;
  return i;
}

// The word spelled `name`, or null.
constexpr const Word* findWord(std::string_view name) {
  size_t i = wordIndex(name);
  return i < kVocabulary.size() ? &kVocabulary[i] : nullptr;
}

constexpr bool isKind(std::string_view name, WordKind kind) {
  size_t i = wordIndex(name);
  return i < kVocabulary.size() && kVocabulary[i].kind == kind;
}

// The built-in function with BuiltinId `id` (its position in VP_FUNCTIONS).
constexpr const Word& functionWord(size_t id) { return vocab_detail::kFunctions[id]; }
inline constexpr size_t kFunctionCount = vocab_detail::kFunctions.size();

// Probe kinds are not words, but have versions too: the return probe
// GUEST:EXIT: came with 1.3.
inline constexpr Version kGuestExitSince = vocab_detail::k13;

// Names in all capitals (at least one letter, none lowercase) belong to
// VProbes: every built-in global is one, and a script may define none.
constexpr bool isCapitalsName(std::string_view name) {
  bool letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}

// Words a script of that version cannot define (a variable, function,
// parameter...): they would shadow or be shadowed. Error names, scopes and
// type names are only meaningful inside their forms, so VP lets them be
// names; globals are covered by isCapitalsName.
constexpr bool reservesName(const Word& w) {
  switch (w.kind) {
    case WordKind::Definition: case WordKind::Form: case WordKind::Clause:
    case WordKind::Operator: case WordKind::Function: case WordKind::FunctionAlias:
      return true;
    default:
      return false;
  }
}

constexpr bool isReservedAt(std::string_view name, Version v) {
  size_t i = wordIndex(name);
  if (isCapitalsName(name)) return true;
  return i < kVocabulary.size() && reservesName(kVocabulary[i]) && kVocabulary[i].since <= v;
}

namespace vocab_detail {

constexpr bool namesAreUnique() {
  for (size_t i = 0; i < kVocabulary.size(); ++i) {
    for (size_t j = i + 1; j < kVocabulary.size(); ++j) {
      if (kVocabulary[i].name == kVocabulary[j].name) return false;
    }
  }
  return true;
}

constexpr bool globalsAreCapitals() {
  for (const auto& w : kVocabulary) {
    bool global = w.kind == WordKind::Global || w.kind == WordKind::GlobalAlias;
    if (global && !isCapitalsName(w.name)) return false;
  }
  return true;
}

constexpr bool aliasesResolve() {
  for (const auto& w : kVocabulary) {
    if (w.kind != WordKind::FunctionAlias && w.kind != WordKind::GlobalAlias) continue;
    size_t t = wordIndex(w.aliasOf);
    if (t == kVocabulary.size()) return false;
    if (kVocabulary[t].id != w.id || kVocabulary[t].since > w.since) return false;
  }
  return true;
}

constexpr bool signaturesAreSane() {
  for (const auto& w : kFunctions) {
    const Signature& s = w.sig;
    if (s.minArgs > s.maxArgs || s.minArgs > s.fixed || s.moreSince < w.since) return false;
  }
  return true;
}

static_assert(namesAreUnique(), "a VP word is listed twice");
static_assert(globalsAreCapitals(), "a built-in global not in capitals would be definable");
static_assert(aliasesResolve(), "an alias names no word, or one newer than itself");
static_assert(signaturesAreSane());
static_assert(kGlobals.size() == static_cast<size_t>(Global::Count));

}  // namespace vocab_detail

}  // namespace vp
