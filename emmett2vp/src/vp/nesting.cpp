#include "emmett2vp/src/vp/nesting.h"

namespace emmett {

// Follows VP's lexical rules (vp/src/grammar.h): parentheses inside string
// literals and `;` comments do not count.
size_t firstTooDeep(std::string_view vp, size_t limit) {
  size_t depth = 0;
  for (size_t i = 0; i < vp.size(); ++i) {
    char c = vp[i];
    if (c == ';') {
      i = vp.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (c == '"') {
      for (++i; i < vp.size() && vp[i] != '"'; ++i)
        if (vp[i] == '\\') ++i;
    } else if (c == '(') {
      if (++depth > limit) return i;
    } else if (c == ')' && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

Location codeAt(const std::vector<PrintedSpan>& spans, size_t offset) {
  Location at;
  for (const auto& s : spans)
    if (s.begin <= offset && offset < s.end) at = s.loc;
  return at;
}

}  // namespace emmett
