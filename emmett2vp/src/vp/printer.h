// Prints VP text: a form that fits in 80 columns stays on one line;
// otherwise its arguments go one per line, indented by two, with the head's
// leading operands (a defun's name and parameters, setint's variable...)
// kept on the first line.
#pragma once

#include <string>

#include "emmett2vp/src/vp/sexpr.h"
#include "vp/version.h"

namespace emmett {

// Spells out GuestRead nodes for `version`.
SExpr concreteReads(const SExpr& e, vp::Version version);
void printVp(const SExpr& e, std::string& out);

}  // namespace emmett
