#include "emmett2vp/vp_error_mapper.h"

#include <charconv>

namespace emmett {
namespace {

// Reads a decimal number followed by `sep` at the start of `s`.
bool number(std::string_view& s, char sep, uint32_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end == s.data() || end == s.data() + s.size() || *end != sep) return false;
  s.remove_prefix(static_cast<size_t>(end - s.data()) + 1);
  return true;
}

std::string place(const std::string& file, uint32_t line, uint32_t col) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string vpPlace(VpPosition at) { return std::to_string(at.line) + ":" + std::to_string(at.col); }

}  // namespace

bool VpErrorMapper::origin(std::string_view line, SourcePosition& from, VpPosition& at,
                           std::string_view& rest) const {
  if (line.substr(0, vpName_.size()) != vpName_ || line.size() <= vpName_.size() || line[vpName_.size()] != ':')
    return false;
  std::string_view s = line.substr(vpName_.size() + 1);
  if (!number(s, ':', at.line) || !number(s, ':', at.col) || s.substr(0, 1) != " ") return false;
  auto found = map_.find(at);
  if (!found) return false;
  from = *found;
  rest = s.substr(1);
  return true;
}

std::string VpErrorMapper::runtimeLine(std::string_view line) const {
  SourcePosition from;
  VpPosition at;
  std::string_view rest;
  if (!origin(line, from, at, rest)) return std::string(line);
  return place(from.file, from.line, from.col) + ": " + std::string(rest) + " [generated VP " + vpPlace(at) + "]";
}

std::string VpErrorMapper::loadDiagnostic(std::string_view diagnostic) const {
  std::string out(diagnostic);
  SourcePosition from;
  VpPosition at;
  std::string_view rest;
  if (!origin(diagnostic.substr(0, diagnostic.find('\n')), from, at, rest)) return out;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + place(from.file, from.line, from.col) + ": note: the VP error above (generated VP " + vpPlace(at) +
         ") comes from here";
}

}  // namespace emmett
