#include "flamegraph/stack_collector.h"

#include <charconv>

namespace flamegraph {

namespace {

// A partial line longer than this is not logaggr's (its rows are bounded
// by VP's 255-byte strings); it is dropped rather than kept growing.
constexpr size_t kMaxLine = 1 << 16;

bool takePrefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// A decimal number followed by `suffix`; advances `text`.
bool takeNumber(std::string_view& text, size_t& out, std::string_view suffix) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc()) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return takePrefix(text, suffix);
}

// logaggr's keys: `nInt` hex integers, then `nStr` strings in double quotes,
// all separated by ", " (strings are printed as they are, unescaped).
bool parseKeys(std::string_view keys, size_t nInt, size_t nStr, std::vector<uint64_t>& ints,
               std::vector<std::string>& strs) {
  for (size_t i = 0; i < nInt; ++i) {
    uint64_t v = 0;
    if (i > 0 && !takePrefix(keys, ", ")) return false;
    if (!takePrefix(keys, "0x")) return false;
    auto [end, ec] = std::from_chars(keys.data(), keys.data() + keys.size(), v, 16);
    if (ec != std::errc()) return false;
    keys.remove_prefix(static_cast<size_t>(end - keys.data()));
    ints.push_back(v);
  }
  for (size_t i = 0; i < nStr; ++i) {
    if ((nInt > 0 || i > 0) && !takePrefix(keys, ", ")) return false;
    if (!takePrefix(keys, "\"")) return false;
    size_t close = i + 1 == nStr ? keys.size() - 1 : keys.find("\", ");
    if (close == std::string_view::npos || close >= keys.size() || keys[close] != '"') return false;
    strs.emplace_back(keys.substr(0, close));
    keys.remove_prefix(close + 1);
  }
  return keys.empty();
}

}  // namespace

void StackCollector::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_ += bytes;
      if (partial_.size() > kMaxLine) partial_.clear();
      return;
    }
    partial_ += bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    line(partial_);
    partial_.clear();
  }
}

void StackCollector::finish() {
  if (!partial_.empty()) line(partial_);
  partial_.clear();
  endBlock();
}

void StackCollector::line(std::string_view text) {
  if (inBlock_ && row(text)) return;
  endBlock();
  inBlock_ = startBlock(text);
}

// "aggr: NAME (N integer key[s]) (M string key[s])"
bool StackCollector::startBlock(std::string_view text) {
  Block b;
  if (!takePrefix(text, "aggr: ")) return false;
  size_t space = text.find(' ');
  if (space == 0 || space == std::string_view::npos) return false;
  b.name = std::string(text.substr(0, space));
  text.remove_prefix(space + 1);
  if (!takePrefix(text, "(") || !takeNumber(text, b.nInt, " integer ")) return false;
  if (!takePrefix(text, b.nInt == 1 ? "key) (" : "keys) (")) return false;
  if (!takeNumber(text, b.nStr, " string ")) return false;
  if (text != (b.nStr == 1 ? "key)" : "keys)")) return false;
  current_ = std::move(b);
  return true;
}

// "NAME[KEYS] == avg A count C min M max X latest L"
bool StackCollector::row(std::string_view text) {
  if (!takePrefix(text, current_.name) || !takePrefix(text, "[")) return false;
  size_t close = text.rfind("] == avg ");
  if (close == std::string_view::npos) return false;
  Row r;
  if (!parseKeys(text.substr(0, close), current_.nInt, current_.nStr, r.ints, r.strs)) return false;
  text.remove_prefix(close + 9);
  size_t at = text.find(" count ");
  if (at == std::string_view::npos) return false;
  text.remove_prefix(at + 7);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), r.count);
  if (ec != std::errc() || end == text.data()) return false;
  current_.rows.push_back(std::move(r));
  return true;
}

void StackCollector::endBlock() {
  if (!inBlock_) return;
  inBlock_ = false;
  size_t unused = 0;
  if (stackKey(current_, unused)) {
    last_[current_.name] = std::move(current_);
  } else {
    last_.erase(current_.name);  // printed again without stacks (cleared)
  }
}

bool StackCollector::stackKey(const Block& b, size_t& index) {
  std::vector<uint64_t> addresses;
  for (size_t k = 0; k < b.nStr; ++k) {
    for (const Row& r : b.rows) {
      if (parseGuestStack(r.strs[k], addresses)) {
        index = k;
        return true;
      }
    }
  }
  return false;
}

std::vector<std::string> StackCollector::stackAggregates() const {
  std::vector<std::string> names;
  for (const auto& [name, block] : last_) names.push_back(name);
  return names;
}

FoldedStacks StackCollector::folded(const Symbolizer& names) const {
  FoldedStacks out;
  for (const auto& [name, block] : last_) {
    size_t stack = 0;
    stackKey(block, stack);
    for (const Row& r : block.rows) {
      std::vector<std::string> frames;
      for (uint64_t v : r.ints) frames.push_back(hexFrame(v));
      for (size_t k = 0; k < r.strs.size(); ++k) {
        if (k != stack) frames.push_back(frameName(r.strs[k]));
      }
      std::vector<uint64_t> addresses;
      if (parseGuestStack(r.strs[stack], addresses)) {
        for (auto& f : names.frames(addresses)) frames.push_back(std::move(f));
      } else {
        frames.push_back("[unknown]");
      }
      addStack(out, frames, r.count);
    }
  }
  return out;
}

}  // namespace flamegraph
