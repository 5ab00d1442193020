// Names the 2011 Emmett compiler predefined as integer constants, and the
// built-ins that take them (getvmcs, getgpr): old scripts use them as
// written. NULL is 0; REG_RAX ... REG_R15 are register numbers in the
// order of the x86 ModR/M encoding (RAX 0, RCX 1, RDX 2, RBX 3, ...);
// VT_* are VMCS field encodings (Intel SDM vol. 3, appendix B).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace emmett {

// The value of a predefined constant; nullopt if `name` is not one.
std::optional<uint64_t> predefinedConst(std::string_view name);

// The VP built-in global that holds VMCS field `encoding`, or empty when
// the engine has none (docs/emmett.md lists which).
std::string_view vmcsFieldGlobal(uint64_t encoding);
// The VP built-in global of register number `reg` (REG_*), or empty.
std::string_view gprGlobal(uint64_t reg);

}  // namespace emmett
