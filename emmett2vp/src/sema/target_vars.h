// Target variables, `$name` (the update slides' "local variables and
// arguments"): a parameter or local of the guest function a probe is in,
// found by name in a symbol database and read where its DWARF location
// list puts it at the probe's address (a register, memory at a register
// plus an offset or at a fixed address, a frame slot through the call
// frame address, or a constant). Called by name resolution, once per name
// and probe address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "emmett2vp/src/sema/external_types.h"
#include "emmett2vp/src/sema/symbols.h"

namespace emmett {

struct TargetVar {
  TargetPlace place;
  const Type* type = nullptr;  // laid out from the database
};

// Which variables a name may denote: `$x` any, `$args->x` a parameter,
// `$locals->x` a local.
enum class VarKind : uint8_t { Any, Param, Local };

// `name` (without the `$`) at guest address `addr`; nullopt with `error`
// (the message, naming the variable and the address) when the variable
// does not exist there, is optimized out, or lives where VP cannot read.
// `spelled` is how the script wrote it ("$x", "$args->x").
std::optional<TargetVar> findTargetVar(ExternalTypes& ext, TypeTable& table, std::string_view name, uint64_t addr,
                                       std::string& error, VarKind kind = VarKind::Any, std::string_view spelled = {});

// `$name` in the body of `probe` (null: outside any probe, in a function).
// The probe needs addresses known now: GUEST:sym, GUEST:sym+off,
// GUEST:0xADDR, GUEST:OFFSET:sym:off, GUEST:ENTER:sym; where a glob gives
// several, the variable must be in the same place at each.
std::optional<TargetVar> probeTargetVar(ExternalTypes* ext, TypeTable& table, const ast::Probe* probe,
                                        std::string_view name, std::string& error, VarKind kind = VarKind::Any,
                                        std::string_view spelled = {});

// Whether the function at the probe's (first) address has a parameter or
// local called `name`: `$args->x` means the parameter x only where the
// function has no variable `args` (the slides' World_New has one).
bool probeFunctionHas(const ExternalTypes* ext, const ast::Probe* probe, std::string_view name);

}  // namespace emmett
