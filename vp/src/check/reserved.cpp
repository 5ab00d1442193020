#include "vp/src/check/reserved.h"

#include <array>

#include "vp/src/builtins.h"

namespace vp {

namespace {

struct Form {
  std::string_view name;
  Version since;
};

constexpr Form kForms[] = {
    {"version", {1, 0}}, {"definteger", {1, 0}}, {"defstring", {1, 0}},
    {"defaggr", {1, 0}}, {"defbag", {1, 0}},     {"defun", {1, 0}},
    {"vprobe", {1, 0}},  {"setint", {1, 0}},     {"setstr", {1, 0}},
    {"cond", {1, 0}},    {"do", {1, 0}},         {"let", {1, 1}},
    {"while", {1, 1}},   {"dowhile", {1, 1}},    {"for", {1, 1}},
    {"break", {1, 1}},   {"continue", {1, 1}},   {"return", {1, 1}},
    {"try", {1, 1}},     {"catch", {1, 1}},      {"bagforeach", {1, 1}},
    {"defshared", {1, 2}}};

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

bool isReservedName(std::string_view name, Version v) {
  for (const auto& f : kForms) {
    if (f.name == name) return f.since <= v;
  }
  BuiltinId id;
  return isOperatorName(name) || (findBuiltin(name, id) && builtinInfo(id).since <= v);
}

}  // namespace vp
