#include "vp/guest_symbols.h"

#include <vector>

namespace vp {

namespace {

bool parseHex(std::string_view s, uint64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * 16 + d;
  }
  out = v;
  return true;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto blank = [&](size_t k) { return line[k] == ' ' || line[k] == '\t' || line[k] == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && blank(i)) ++i;
    size_t start = i;
    while (i < line.size() && !blank(i)) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

bool GuestSymbols::addLine(std::string_view line) {
  std::vector<std::string_view> w = words(line);
  if (w.empty()) return true;
  // nm prints an undefined symbol without an address: "         U name".
  if (w.size() == 2 && w[0].size() == 1 && (line[0] == ' ' || line[0] == '\t')) return true;
  uint64_t addr = 0;
  if ((w.size() != 3 && w.size() != 4) || !parseHex(w[0], addr) || w[1].size() != 1) {
    return false;
  }
  byName_.emplace(std::string(w[2]), addr);
  return true;
}

bool GuestSymbols::parse(std::string_view text, std::string source, GuestSymbols& out,
                         std::string& error) {
  out = GuestSymbols{};
  out.source_ = std::move(source);
  size_t lineNo = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++lineNo;
    if (!out.addLine(text.substr(pos, end - pos))) {
      error = out.source_ + ":" + std::to_string(lineNo) +
              ": malformed symbol line (expected 'ADDRESS TYPE NAME', as nm or System.map print)";
      return false;
    }
    pos = end + 1;
  }
  return true;
}

std::optional<uint64_t> GuestSymbols::find(std::string_view name) const {
  auto it = byName_.find(std::string(name));
  if (it == byName_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vp
