#include "emmett2vp/src/epp/macro_expander.h"

#include <algorithm>

namespace emmett {

size_t literalLength(std::string_view text, size_t i) {
  char quote = text[i];
  size_t j = i + 1;
  while (j < text.size() && text[j] != quote) j += text[j] == '\\' ? 2 : 1;
  return std::min(j + 1, text.size()) - i;
}

size_t wordLength(std::string_view text, size_t i) {
  // pp-numbers swallow letters too, so `1msec` stays one word and a macro
  // named `msec` does not break a TIMER:1msec probe name.
  bool number = text[i] >= '0' && text[i] <= '9';
  size_t j = i + 1;
  while (j < text.size() && (isIdentChar(text[j]) || (number && text[j] == '.'))) ++j;
  return j - i;
}

bool MacroExpander::expandIdent(std::string_view name, std::string& out) {
  const Macro* m = macros_.find(name);
  if (!m || std::find(active_.begin(), active_.end(), name) != active_.end()) {
    out.append(name);
    return true;
  }
  active_.push_back(name);
  bool ok = expandInto(m->body, out);
  active_.pop_back();
  return ok;
}

bool MacroExpander::expandInto(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    if (out.size() - budgetStart_ > kMaxExpandedLine) return false;
    char c = text[i];
    size_t n = 1;
    if (c == '"' || c == '\'') {
      n = literalLength(text, i);
    } else if (isIdentStart(c)) {
      n = wordLength(text, i);
      if (!expandIdent(text.substr(i, n), out)) return false;
      i += n;
      continue;
    } else if (c >= '0' && c <= '9') {
      n = wordLength(text, i);
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out.size() - budgetStart_ <= kMaxExpandedLine;
}

bool MacroExpander::expandText(std::string_view text, std::string& out) {
  budgetStart_ = out.size();
  return expandInto(text, out);
}

bool MacroExpander::expandLine(std::string_view line, bool& inComment,
                               std::string& out, std::vector<Segment>& segs) {
  budgetStart_ = out.size();
  const size_t lineStart = out.size();
  std::vector<Segment> local;
  bool expanded = false;
  auto col = [&](size_t outPos) { return static_cast<uint32_t>(outPos - lineStart + 1); };
  size_t i = 0;
  while (i < line.size()) {
    if (inComment) {
      size_t end = line.find("*/", i);
      size_t n = end == std::string_view::npos ? line.size() - i : end + 2 - i;
      inComment = end == std::string_view::npos;
      out.append(line.substr(i, n));
      i += n;
      continue;
    }
    char c = line[i];
    size_t n = 1;
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      n = line.size() - i;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
      inComment = true;
      n = 2;
    } else if (c == '"' || c == '\'') {
      n = literalLength(line, i);
    } else if (isIdentStart(c)) {
      n = wordLength(line, i);
      std::string_view word = line.substr(i, n);
      if (macros_.find(word)) {
        local.push_back({col(out.size()), static_cast<uint32_t>(i + 1), true});
        if (!expandIdent(word, out)) return false;
        expanded = true;
        i += n;
        local.push_back({col(out.size()), static_cast<uint32_t>(i + 1), false});
        continue;
      }
    } else if (c >= '0' && c <= '9') {
      n = wordLength(line, i);
    }
    out.append(line.substr(i, n));
    i += n;
    if (out.size() - budgetStart_ > kMaxExpandedLine) return false;
  }
  if (expanded) segs = std::move(local);
  return true;
}

}  // namespace emmett
