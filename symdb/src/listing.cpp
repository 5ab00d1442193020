// symdb::list: what a database holds, filtered by a glob, one entry per
// line, as `bpftrace -l` lists probes.
#include <algorithm>
#include <set>
#include <sstream>

#include "symdb/symdb.h"

namespace symdb {
namespace {

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string where(const Database& db, uint32_t file, uint32_t line) {
  if (file == 0 || file >= db.files.size()) return "";
  return " " + db.files[file] + ":" + std::to_string(line);
}

std::string functionEntry(const Database& db, const Function& f, bool verbose) {
  std::string s = "func " + f.name;
  if (!verbose) return s;
  s += " " + hex(f.entry) + where(db, f.file, f.line) + " (";
  bool first = true;
  for (const auto& v : f.vars) {
    if (!v.isParam) continue;
    s += (first ? "" : ", ") + typeName(db, v.type) + " " + v.name;
    first = false;
  }
  return s + ")";
}

void members(const Database& db, const Type& t, std::string& s) {
  for (const auto& m : t.members) {
    s += "\n    +" + std::to_string(m.bitOffset / 8);
    if (m.bitSize) s += "." + std::to_string(m.bitOffset % 8) + ":" + std::to_string(m.bitSize);
    s += " " + (m.name.empty() ? std::string("<anonymous>") : m.name) + ": " + typeName(db, m.type);
  }
}

std::string typeEntry(const Database& db, const Type& t, bool verbose) {
  const char* kind = t.kind == TypeKind::Struct  ? "struct"
                     : t.kind == TypeKind::Union ? "union"
                     : t.kind == TypeKind::Enum  ? "enum"
                                                 : "typedef";
  std::string s = std::string(kind) + " " + t.name;
  if (!verbose) return s;
  if (t.kind == TypeKind::Typedef) return s + " = " + typeName(db, t.target);
  if (t.kind == TypeKind::Enum) {
    for (const auto& e : t.enumerators) s += "\n    " + e.name + " = " + std::to_string(static_cast<int64_t>(e.value));
    return s;
  }
  s += " (" + std::to_string(t.size) + " bytes)";
  members(db, t, s);
  return s;
}

// Lines only when the pattern asks for them (it has a ':'): there are
// thousands. Each with the addresses a line probe on it would probe.
void lineEntries(const Database& db, std::string_view pattern, std::set<std::string>& out) {
  if (pattern.find(':') == std::string_view::npos) return;
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (const auto& l : db.lines) {
    if (l.file == 0 || l.file >= db.files.size() || !l.isStmt || !seen.insert({l.file, l.line}).second) continue;
    std::string fileLine = db.files[l.file] + ":" + std::to_string(l.line);
    std::string base = fileLine.substr(fileLine.find_last_of('/') + 1);
    if (!globMatch(pattern, fileLine) && !globMatch(pattern, base)) continue;
    std::string entry = "line " + fileLine;
    for (const LinePlace& p : linePlaces(db, l.file, l.line)) entry += " " + hex(p.addr);
    out.insert(entry);
  }
}

}  // namespace

void list(const Database& db, std::string_view pattern, bool verbose, std::ostream& out) {
  std::set<std::string> entries;
  for (const auto& f : db.functions)
    if (globMatch(pattern, f.name)) entries.insert(functionEntry(db, f, verbose));
  for (const auto& t : db.types) {
    bool named = t.kind == TypeKind::Struct || t.kind == TypeKind::Union || t.kind == TypeKind::Enum ||
                 t.kind == TypeKind::Typedef;
    if (!named || t.name.empty() || !t.complete || !globMatch(pattern, t.name)) continue;
    // The definition the lookups use, once, however many units repeat it.
    const Type* chosen = t.kind == TypeKind::Struct  ? db.findStruct(t.name)
                         : t.kind == TypeKind::Union ? db.findUnion(t.name)
                         : t.kind == TypeKind::Enum  ? db.findEnum(t.name)
                                                     : db.findTypedef(t.name);
    if (chosen == &t) entries.insert(typeEntry(db, t, verbose));
  }
  lineEntries(db, pattern, entries);
  for (const auto& e : entries) out << e << '\n';
}

}  // namespace symdb
