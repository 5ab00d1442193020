#include "emmett2vp/src/sema/builtins.h"

#include <array>
#include <string>

namespace emmett {

namespace {
using A = ArgKind;
constexpr vp::Version k10{1, 0}, k12{1, 2};

const std::vector<BuiltinFunc>& table() {
  static const std::vector<BuiltinFunc> t = {
      {"printf", {A::Str}, 1, true, k10},
      {"sprintf", {A::StrVar, A::Str}, 2, true, k10},
      {"logint", {A::Int}, 1, false, k10},
      {"logstr", {A::Str}, 1, false, k10},
      {"strcmp", {A::Str, A::Str}, 2, false, k10},
      {"getguest", {A::Int, A::Int}, 1, false, k10},  // 2 arguments: 1.1
      {"getgueststr", {A::StrVar, A::Int, A::Int}, 2, false, k10},
      {"getguestphys", {A::Int}, 1, false, k10},
      {"gueststack", {A::StrVar, A::Int}, 1, false, k10},  // 2 arguments: 1.2
      {"getsystemtime", {}, 0, false, k10},
      {"exit", {}, 0, false, k10},
      {"offatret", {A::Int}, 1, false, k10},
      {"offatseg", {A::Int}, 1, false, k10},
      {"offatstrcpy", {A::Int, A::Int}, 2, false, k10},
      {"offatstrncpy", {A::Int, A::Int}, 2, false, k10},
      {"logaggr", {A::Aggr, A::Int}, 1, false, k10},  // 2 arguments: 1.2 (printa)
      {"clearaggr", {A::Aggr}, 1, false, k10},
      {"printa", {A::Aggr, A::Str}, 1, false, k12},
      {"fetchadd", {A::Shared, A::Int}, 2, false, k12},
      {"cmpxchg", {A::Shared, A::Int, A::Int}, 3, false, k12},
      {"writeint", {A::Int, A::Int}, 2, false, k12},
      // The 2011 compiler's readers of a VMCS field (VT_*) and a register
      // (REG_*): their constant argument picks a built-in global.
      {"getvmcs", {A::Int}, 1, false, k10},
      {"getgpr", {A::Int}, 1, false, k10},
  };
  return t;
}

constexpr std::array<std::string_view, 10> kErrors = {
    "MemAccessError", "DivideError", "StackError", "BudgetError", "BagEmptyError",
    "AggrFullError", "FormatError", "VcpuStateError", "DecodeError", "BagFullError"};
}  // namespace

const BuiltinFunc* findBuiltinFunc(std::string_view name) {
  for (const auto& b : table())
    if (b.name == name) return &b;
  return nullptr;
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
  for (auto e : kErrors)
    if (e == n) return e;
  return {};
}

const char* engineErrorNames() {
  return "MemAccessError, DivideError, StackError, BudgetError, BagEmptyError, AggrFullError, "
         "FormatError, VcpuStateError, DecodeError, BagFullError";
}

}  // namespace emmett
