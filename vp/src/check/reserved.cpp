#include "vp/src/check/reserved.h"

#include <array>

#include "vp/src/builtins.h"

namespace vp {

namespace {

constexpr std::array<std::string_view, 22> kForms{
    "version", "definteger", "defstring", "defaggr", "defbag", "defun",
    "vprobe", "defshared", "setint", "setstr", "cond", "do", "let", "while",
    "dowhile", "for", "break", "continue", "return", "try", "catch",
    "bagforeach"};

constexpr std::array<std::string_view, 21> kOperators{
    "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "~", "&&", "||",
    "!", "==", "=", "!=", "<", ">", "<=", ">="};

}  // namespace

bool isOperatorName(std::string_view name) {
  for (auto op : kOperators) {
    if (op == name) return true;
  }
  return false;
}

bool isReservedName(std::string_view name) {
  for (auto f : kForms) {
    if (f == name) return true;
  }
  BuiltinId id;
  return isOperatorName(name) || findBuiltin(name, id);
}

}  // namespace vp
