// The frame layout pass: assigns every temporary, argument and local of a
// function a place in its frame, and computes the frame's size. Both back
// ends use it, so the JIT's real frames and the interpreter's accounting of
// the 64 KiB VP stack are the same numbers.
//
// Frame of a function, from its stack pointer up:
//   outgoing arguments (8 bytes each) | int slots (8 bytes) | string slots
//   (256 bytes) | saved rbp | return address | the caller's arguments
#pragma once

#include "vp/src/ast.h"

namespace vp {

void layoutProgram(Program& p);

// Operands the JIT can use directly (an immediate or a memory operand)
// without spilling the left-hand side.
bool isSimpleOperand(const Expr* e);

}  // namespace vp
