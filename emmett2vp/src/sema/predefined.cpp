#include "emmett2vp/src/sema/predefined.h"

#include <array>

#include "vp/vocabulary.h"

namespace emmett {

namespace {

struct Const {
  std::string_view name;
  uint64_t value;
  std::string_view vpGlobal;  // what getvmcs/getgpr of the value reads
};

// Registers in ModR/M order, as the 2011 compiler numbered them.
constexpr std::array<Const, 16> kRegs = {{
    {"REG_RAX", 0, "RAX"}, {"REG_RCX", 1, "RCX"}, {"REG_RDX", 2, "RDX"}, {"REG_RBX", 3, "RBX"},
    {"REG_RSP", 4, "RSP"}, {"REG_RBP", 5, "RBP"}, {"REG_RSI", 6, "RSI"}, {"REG_RDI", 7, "RDI"},
    {"REG_R8", 8, "R8"},   {"REG_R9", 9, "R9"},   {"REG_R10", 10, "R10"}, {"REG_R11", 11, "R11"},
    {"REG_R12", 12, "R12"}, {"REG_R13", 13, "R13"}, {"REG_R14", 14, "R14"}, {"REG_R15", 15, "R15"},
}};

// VMCS encodings, and the engine global that holds each field's value
// (vp/globals.h; the fields KVM does not report read 0 there, as
// docs/vp-language.md says). A value missing here has no global: getvmcs
// of it is an error rather than a wrong value.
constexpr std::array<Const, 17> kVmcs = {{
    {"VT_PHYSICAL_ADDR", 0x2400, "VT_PHYSICAL_ADDR"},
    {"VT_VMINSTR_ERR", 0x4400, "VT_VMINSTR_ERR"},
    {"VT_EXIT_REASON", 0x4402, "VMCS_EXIT_REASON"},
    {"VT_EXIT_INT_INFO", 0x4404, "VMCS_INTR_INFO"},
    {"VT_EXIT_INT_ERR", 0x4406, "VMCS_INTR_ERR"},
    {"VT_IDTVEC_INFO", 0x4408, "VMCS_IDTVEC_INFO"},
    {"VT_IDTVEC_ERR", 0x440a, "VMCS_IDTVEC_ERR"},
    {"VT_INSTR_LEN", 0x440c, "VMCS_INSTRLEN"},
    {"VT_INSTR_INFO", 0x440e, "VMCS_INSTR_INFO"},
    {"VT_EXIT_QUAL", 0x6400, "VMCS_EXIT_QUAL"},
    {"VT_IO_ECX", 0x6402, "VT_IO_ECX"},
    {"VT_IO_ESI", 0x6404, "VT_IO_ESI"},
    {"VT_IO_EDI", 0x6406, "VT_IO_EDI"},
    {"VT_IO_EIP", 0x6408, "VT_IO_EIP"},
    {"VT_LINEAR_ADDR", 0x640a, "VT_LINEAR_ADDR"},
    {"VT_VMENTRY_INT_INFO", 0x4016, "VMCS_VMENTRY_INTR_INFO"},
    {"VT_VMENTRY_INT_ERR", 0x4018, "VMCS_VMENTRYXCP_ERR"},
}};

// What getvmcs/getgpr read must be a global of VP's vocabulary.
template <size_t N>
constexpr bool readsVpGlobals(const std::array<Const, N>& table) {
  for (const auto& c : table)
    if (!vp::isKind(c.vpGlobal, vp::WordKind::Global)) return false;
  return true;
}
static_assert(readsVpGlobals(kRegs) && readsVpGlobals(kVmcs));

template <size_t N>
const Const* byName(const std::array<Const, N>& table, std::string_view name) {
  for (const auto& c : table)
    if (c.name == name) return &c;
  return nullptr;
}

template <size_t N>
std::string_view globalOf(const std::array<Const, N>& table, uint64_t value) {
  for (const auto& c : table)
    if (c.value == value) return c.vpGlobal;
  return {};
}

}  // namespace

std::optional<uint64_t> predefinedConst(std::string_view name) {
  if (name == "NULL") return 0;
  if (const Const* c = byName(kRegs, name)) return c->value;
  if (const Const* c = byName(kVmcs, name)) return c->value;
  return std::nullopt;
}

std::string_view vmcsFieldGlobal(uint64_t encoding) { return globalOf(kVmcs, encoding); }
std::string_view gprGlobal(uint64_t reg) { return globalOf(kRegs, reg); }

}  // namespace emmett
