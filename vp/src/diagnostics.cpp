#include "vp/src/diagnostics.h"

#include <algorithm>

#include "vp/src/quote.h"

namespace vp {

void Diagnostics::error(Loc at, std::string message) {
  out_.push_back({Diagnostic::Severity::Error, file_, at.line, at.col,
                  std::move(message)});
  ++errors_;
}

void Diagnostics::warning(Loc at, std::string message) {
  out_.push_back({Diagnostic::Severity::Warning, file_, at.line, at.col,
                  std::move(message)});
}

namespace {

std::string_view lineOf(std::string_view source, uint32_t line) {
  size_t start = 0;
  for (uint32_t i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  if (end == std::string_view::npos) end = source.size();
  return source.substr(start, end - start);
}

}  // namespace

std::string Diagnostic::render(std::string_view source) const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(col);
  }
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  out += oneLine(message);
  out += "\n";
  if (line == 0) return out;
  std::string_view text = lineOf(source, line);
  if (text.empty()) return out;
  // The line, then a caret under the column; appended whole and patched,
  // not byte by byte (a fuzzed script can have thousands of diagnostics).
  out += "  ";
  size_t lineAt = out.size();
  out += text;
  // Other control bytes (a NUL would end the text for C callers) show as
  // '?', one column each, so the caret still lines up.
  for (size_t i = lineAt; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) out[i] = '?';
  }
  out += "\n  ";
  // Keep tabs so the caret lines up under the same column in a terminal.
  size_t before = col > 0 ? std::min<size_t>(col - 1, text.size()) : 0;
  size_t caretAt = out.size();
  out.append(before, ' ');
  for (size_t i = 0; i < before; ++i)
    if (text[i] == '\t') out[caretAt + i] = '\t';
  out += "^\n";
  return out;
}

Loc advance(Loc at, std::string_view text) {
  for (char c : text) {
    if (c == '\n') {
      ++at.line;
      at.col = 1;
    } else {
      ++at.col;
    }
  }
  return at;
}

}  // namespace vp
