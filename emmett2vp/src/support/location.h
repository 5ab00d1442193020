// A place in an original source file (after undoing EPP's includes and
// macro expansion through the line map). Every AST node carries one.
#pragma once

#include <cstdint>

namespace emmett {

struct Location {
  uint32_t file = 0;  // index into SourceManager; 0 is "no file"
  uint32_t line = 0;  // 1-based; 0 when not about a place
  uint32_t col = 0;   // 1-based byte column
};

}  // namespace emmett
