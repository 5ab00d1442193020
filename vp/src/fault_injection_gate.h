// The engine's half of fault injection's double opt-in: a script that
// calls a destructive built-in (VP 1.3) loads only when the host turned
// fault injection on for it (Options::faultInjectionOff empty). Also where
// skipfunction may be called: at a function's entry.
#pragma once

#include "vp/src/ast.h"
#include "vp/src/diagnostics.h"

namespace vp {

// Whether probe `p` fires at a function's first instruction, where
// skipfunction can return for it: GUEST:symbol (a symbol names a
// function's start) or GUEST:ENTER:<symbol or address> (the script says so).
bool isFunctionEntry(const ProbePoint& p);

// Reports each destructive call when fault injection is off (naming the
// setting), and skipfunction written directly in a probe that is not at a
// function's entry. False when it reported anything.
bool checkFaultInjection(const Program& p, const Options& o, Diagnostics& d);

}  // namespace vp
