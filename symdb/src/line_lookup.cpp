// Line probes: from a source line to the addresses where its statements
// start, one per function or inlined copy, as a debugger places a
// breakpoint on a line (a line's code split by the scheduler is one place;
// a line inlined twice is two).
#include <map>

#include "symdb/symdb.h"

namespace symdb {
namespace {

bool inRanges(const std::vector<Range>& ranges, uint64_t addr) {
  for (const Range& r : ranges)
    if (addr >= r.low && addr < r.high) return true;
  return false;
}

const Function* functionAt(const Database& db, uint64_t addr) {
  for (const Function& f : db.functions)
    if (inRanges(f.ranges, addr)) return &f;
  return nullptr;
}

const Inlined* innermostAt(const Function& f, uint64_t addr) {
  const Inlined* best = nullptr;
  for (const Inlined& in : f.inlined)
    if ((!best || in.depth > best->depth) && (inRanges(in.ranges, addr) || in.entry == addr)) best = &in;
  return best;
}

// A statement start of `file` that counts: inside `within` when given.
bool counts(const Line& l, uint32_t file, const Function* within) {
  return l.isStmt && l.file == file && (!within || inRanges(within->ranges, l.addr));
}

}  // namespace

std::vector<uint32_t> filesNamed(const Database& db, std::string_view name) {
  std::vector<uint32_t> out;
  if (name.empty()) return out;
  for (uint32_t i = 1; i < db.files.size(); ++i) {
    std::string_view path = db.files[i];
    bool tail = path.size() > name.size() && path.ends_with(name) && path[path.size() - name.size() - 1] == '/';
    if (path == name || tail) out.push_back(i);
  }
  return out;
}

std::vector<LinePlace> linePlaces(const Database& db, uint32_t file, uint32_t line, const Function* within) {
  // Lines are sorted by address, so the first address seen for a place is
  // its lowest.
  std::map<std::pair<const Function*, const Inlined*>, uint64_t> places;
  for (size_t row : db.rowsOf(file, line)) {
    const Line& l = db.lines[row];
    if (!counts(l, file, within)) continue;
    const Function* f = within ? within : functionAt(db, l.addr);
    places.try_emplace({f, f ? innermostAt(*f, l.addr) : nullptr}, l.addr);
  }
  // Two copies starting at one address are one probe (it fires once).
  std::map<uint64_t, LinePlace> byAddr;
  for (const auto& [key, addr] : places) byAddr.try_emplace(addr, LinePlace{addr, key.first, key.second});
  std::vector<LinePlace> out;
  for (const auto& [addr, place] : byAddr) out.push_back(place);
  return out;
}

std::pair<uint32_t, uint32_t> nearestLines(const Database& db, uint32_t file, uint32_t line, const Function* within) {
  uint32_t before = 0, after = 0;
  for (const Line& l : db.lines) {
    if (!counts(l, file, within)) continue;
    if (l.line < line && l.line > before) before = l.line;
    if (l.line > line && (after == 0 || l.line < after)) after = l.line;
  }
  return {before, after};
}

}  // namespace symdb
