#include "vp/guest_symbols.h"

namespace vp {

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parseHex(std::string_view s, uint64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  uint64_t v = 0;
  unsigned digits = 0;
  for (char c : s) {
    if (c == '`' && digits == 8) continue;  // WinDbg writes fffff800`01234560
    int d = hexDigit(c);
    if (d < 0 || ++digits > 16) return false;
    v = v * 16 + unsigned(d);
  }
  out = v;
  return digits > 0;
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

// kallsyms' "[ext4]": the module, or empty.
std::string_view moduleOf(const std::vector<std::string_view>& w) {
  if (w.size() != 4 || w[3].size() <= 2 || w[3].front() != '[' || w[3].back() != ']') return {};
  return w[3].substr(1, w[3].size() - 2);
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
  std::string name(w[2]);
  if (!byName_.emplace(name, addr).second) return true;
  list_.emplace_back(name, addr);
  size_t bang = name.find('!');
  std::string_view module = moduleOf(w);
  if (bang != std::string::npos) {
    byName_.emplace(name.substr(bang + 1), addr);
  } else if (!module.empty()) {
    byName_.emplace(std::string(module) + "!" + name, addr);
  }
  return true;
}

GuestSymbols GuestSymbols::parseAll(std::string_view text, std::vector<size_t>& badLines,
                                    size_t maxBad) {
  GuestSymbols out;
  size_t lineNo = 0;
  for (size_t pos = 0; pos < text.size() && badLines.size() < maxBad;) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++lineNo;
    if (!out.addLine(text.substr(pos, end - pos))) badLines.push_back(lineNo);
    pos = end + 1;
  }
  return out;
}

bool GuestSymbols::parse(std::string_view text, std::string source, GuestSymbols& out,
                         std::string& error) {
  std::vector<size_t> bad;
  out = parseAll(text, bad, 1);
  out.source_ = std::move(source);
  if (bad.empty()) return true;
  error = out.source_ + ":" + std::to_string(bad[0]) + ": " + std::string(kMalformed);
  return false;
}

std::optional<uint64_t> GuestSymbols::find(std::string_view name) const {
  auto it = byName_.find(std::string(name));
  if (it == byName_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vp
