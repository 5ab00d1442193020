// Expands object-like macros in one line of Emmett text. Only identifiers
// are replaced: string and character literals, comments, and numbers such
// as `1msec` or `0x1f` are copied untouched. A macro is not re-expanded
// inside its own expansion (as in C), and the total size of one expanded
// line is bounded so that `#define A B B` chains cannot exhaust memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emmett2vp/src/epp/macro_table.h"

namespace emmett {

class MacroExpander {
 public:
  static constexpr size_t kMaxExpandedLine = 1 << 20;

  struct Segment {
    uint32_t outCol, origCol;
    bool flat;
  };

  explicit MacroExpander(const MacroTable& macros) : macros_(macros) {}

  // Expands `line` (one physical source line) onto `out`. `inComment`
  // carries an open /* comment from line to line. `segs` receives column
  // segments when anything was expanded (none otherwise). Returns false
  // when the expansion exceeds kMaxExpandedLine.
  bool expandLine(std::string_view line, bool& inComment, std::string& out,
                  std::vector<Segment>& segs);

  // Expands text that has no comments (an #if expression); false on
  // overflow.
  bool expandText(std::string_view text, std::string& out);

 private:
  bool expandInto(std::string_view text, std::string& out);
  bool expandIdent(std::string_view name, std::string& out);

  const MacroTable& macros_;
  std::vector<std::string_view> active_;  // macros being expanded
  size_t budgetStart_ = 0;
};

// Length of the string or character literal starting at text[i] (which is
// a quote), up to and including the closing quote or the end of text.
size_t literalLength(std::string_view text, size_t i);
// Length of the identifier or pp-number starting at text[i].
size_t wordLength(std::string_view text, size_t i);

}  // namespace emmett
