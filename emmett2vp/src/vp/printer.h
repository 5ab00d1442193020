// Prints VP text: a form that fits in 80 columns stays on one line;
// otherwise its arguments go one per line, indented by two, with the head's
// leading operands (a defun's name and parameters, setint's variable...)
// kept on the first line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "emmett2vp/src/vp/sexpr.h"

namespace emmett {

// Where a form with a location was printed: bytes [begin, end) of the
// output text.
struct PrintedSpan {
  size_t begin, end;
  Location loc;
};

// Appends `e` to `out`; when `spans` is given, adds one span per form that
// has a location, outer forms before the forms inside them.
void printVp(const SExpr& e, std::string& out, std::vector<PrintedSpan>* spans = nullptr);

}  // namespace emmett
