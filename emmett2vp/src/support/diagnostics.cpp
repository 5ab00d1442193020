#include "emmett2vp/src/support/diagnostics.h"

#include "vp/one_line.h"

namespace emmett {

// Every diagnostic is one line: a message quoting script text (a format's
// conversion holds a decoded "\n") gets its control bytes escaped, as the
// VP engine writes its own messages.
void Diagnostics::add(Severity s, Location loc, std::string message) {
  message = vp::oneLine(message);
  if (s == Severity::Error) {
    if (errors_ > kMaxErrors) return;
    if (errors_ == kMaxErrors) {
      ++errors_;
      list_.push_back({s, loc, "too many errors; stopping"});
      return;
    }
    ++errors_;
  }
  list_.push_back({s, loc, std::move(message)});
}

std::string renderDiagnostic(const Diagnostic& d, const SourceManager& sm) {
  std::string out;
  const char* kind = d.severity == Severity::Error ? "error" : "warning";
  if (d.loc.file != 0) {
    out += sm.name(d.loc.file);
    if (d.loc.line != 0) {
      out += ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col);
    }
    out += ": ";
  }
  out += kind;
  out += ": ";
  out += d.message;
  out += "\n";
  std::string_view src = sm.lineText(d.loc.file, d.loc.line);
  if (d.loc.line == 0 || src.empty()) return out;
  out += src;
  out += "\n";
  // Keep tabs so the caret lines up with the quoted text in a terminal.
  for (uint32_t i = 0; i + 1 < d.loc.col && i < src.size(); ++i)
    out += src[i] == '\t' ? '\t' : ' ';
  out += "^\n";
  return out;
}

std::string Diagnostics::render(const SourceManager& sm) const {
  std::string out;
  for (const auto& d : list_) out += renderDiagnostic(d, sm);
  return out;
}

}  // namespace emmett
