// Emmett's built-in functions: most are the VP built-in of the same name,
// and take from VP's vocabulary (vp/vocabulary.h) the arguments the type
// checker enforces and the VP version that introduced them; getvmcs and
// getgpr are Emmett's own (they read a built-in global).
#pragma once

#include <string_view>
#include <vector>

#include "emmett2vp/src/ast/ast.h"
#include "vp/version.h"

namespace emmett {

enum class ArgKind : uint8_t {
  Int,     // an integer (or pointer) value
  Str,     // a string value
  StrVar,  // a string variable the built-in writes
  Aggr,    // an aggregate name
  Shared,  // a shared integer name
};

struct BuiltinFunc {
  std::string_view name;
  std::vector<ArgKind> args;  // fixed arguments (the last ones may be optional)
  size_t minArgs;
  bool variadic;  // printf-style: any values after the fixed ones
  vp::Version since;
};

const BuiltinFunc* findBuiltinFunc(std::string_view name);

// hist(x), lhist(x, min, max, step) and DTrace's names for them, quantize
// and lquantize: not values, but what `a[k] <- ...` adds to a histogram.
bool isHistogramFunc(std::string_view name);
bool isLinearHistogramFunc(std::string_view name);
// `e` as such a call (not a user function of that name), or null.
const ast::Call* histogramCall(const ast::Expr& e);

// Maps a catch clause's error name to the engine's (VmkMemAccessError and
// MemAccessError both give MemAccessError); empty if unknown.
std::string_view engineErrorName(std::string_view emmettName);
// The engine's error names (VP's vocabulary), for messages.
const char* engineErrorNames();

}  // namespace emmett
