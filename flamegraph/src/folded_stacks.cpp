#include "flamegraph/folded_stacks.h"

#include <charconv>
#include <cstdio>

namespace flamegraph {

namespace {

// "0x<hex>" up to the next '_' or the end; advances `text`.
bool takeHex(std::string_view& text, uint64_t& out) {
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x') return false;
  const char* first = text.data() + 2;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, out, 16);
  if (ec != std::errc() || end == first) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

}  // namespace

bool parseGuestStack(std::string_view text, std::vector<uint64_t>& leafFirst) {
  constexpr std::string_view kPrefix = "GUEST";
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  text.remove_prefix(kPrefix.size());
  std::vector<uint64_t> out;
  while (!text.empty()) {
    uint64_t address = 0;
    if (text[0] != '_') return false;
    text.remove_prefix(1);
    if (!takeHex(text, address)) return false;
    out.push_back(address);
  }
  if (out.empty()) return false;
  leafFirst = std::move(out);
  return true;
}

std::string frameName(std::string_view name) {
  if (name.empty()) return "?";
  std::string out(name);
  for (char& c : out) {
    if (c == ';' || c == '\n' || c == '\r') c = '_';
  }
  return out;
}

std::string hexFrame(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

void addStack(FoldedStacks& stacks, const std::vector<std::string>& rootFirst, uint64_t count) {
  std::string key;
  for (const auto& frame : rootFirst) {
    if (!key.empty()) key += ';';
    key += frame;
  }
  if (!key.empty()) stacks[key] += count;
}

std::string foldedText(const FoldedStacks& stacks) {
  std::string out;
  for (const auto& [stack, count] : stacks) {
    out += stack;
    out += ' ';
    out += std::to_string(count);
    out += '\n';
  }
  return out;
}

bool parseFolded(std::string_view text, FoldedStacks& out, std::string& error) {
  FoldedStacks stacks;
  size_t lineNo = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t space = line.rfind(' ');
    uint64_t count = 0;
    auto [last, ec] = space == std::string_view::npos || space == 0
                          ? std::from_chars_result{line.data(), std::errc::invalid_argument}
                          : std::from_chars(line.data() + space + 1, line.data() + line.size(), count);
    if (ec != std::errc() || last != line.data() + line.size()) {
      error = "line " + std::to_string(lineNo) + ": expected 'frame;frame;... COUNT'";
      return false;
    }
    stacks[std::string(line.substr(0, space))] += count;
  }
  out = std::move(stacks);
  return true;
}

}  // namespace flamegraph
