#include "emmett2vp/src/probes/symbol_file.h"

#include <sstream>

namespace emmett {

namespace {
bool parseHex(std::string_view s, uint64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 17) return false;
  uint64_t v = 0;
  unsigned digits = 0;
  for (char c : s) {
    if (c == '`' && digits == 8) continue;  // WinDbg writes fffff800`01234560
    ++digits;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    v = v * 16 + static_cast<unsigned>(d);
  }
  if (digits > 16) return false;
  out = v;
  return true;
}
}  // namespace

bool SymbolFile::parseLine(std::string_view line, Location loc, Diagnostics& diags) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > b) words.push_back(line.substr(b, i - b));
  }
  if (words.empty()) return true;
  // nm prints undefined symbols without an address: "         U name".
  if (words.size() == 2 && words[0].size() == 1 && !line.empty() && (line[0] == ' ' || line[0] == '\t')) return true;
  uint64_t addr = 0;
  if ((words.size() != 3 && words.size() != 4) || !parseHex(words[0], addr) || words[1].size() != 1) {
    diags.error(loc) << "malformed symbol line (expected 'ADDRESS TYPE NAME')";
    return false;
  }
  std::string name(words[2]);
  if (!byName_.emplace(name, addr).second) return true;
  list_.emplace_back(name, addr);
  // Module-qualified names: `nt!NtCreateThread` is also `NtCreateThread`,
  // and kallsyms' `foo [ext4]` is also `ext4!foo`.
  size_t bang = name.find('!');
  if (bang != std::string::npos) byName_.emplace(name.substr(bang + 1), addr);
  else if (words.size() == 4 && words[3].size() > 2 && words[3].front() == '[' && words[3].back() == ']')
    byName_.emplace(std::string(words[3].substr(1, words[3].size() - 2)) + "!" + name, addr);
  return true;
}

bool SymbolFile::load(uint32_t id, const SourceManager& sm, Diagnostics& diags) {
  const std::string& text = sm.text(id);
  uint32_t lineNo = 0;
  size_t before = diags.errorCount();
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++lineNo;
    parseLine(std::string_view(text).substr(pos, end - pos), {id, lineNo, 1}, diags);
    pos = end + 1;
    if (diags.errorCount() > before + 10) break;  // not a symbol file at all
  }
  loaded_ = true;
  return diags.errorCount() == before;
}

const uint64_t* SymbolFile::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &it->second;
}

}  // namespace emmett
