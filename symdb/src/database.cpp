#include "symdb/symdb.h"

namespace symdb {

Database::Database() : files{""}, types{Type{}} {}

void Database::index() {
  structs_.clear(), unions_.clear(), enums_.clear(), typedefs_.clear(), enumerators_.clear(), lineRows_.clear();
  for (size_t i = 0; i < lines.size(); ++i) lineRows_[{lines[i].file, lines[i].line}].push_back(i);
  for (TypeId id = 0; id < types.size(); ++id) {
    const Type& t = types[id];
    std::map<std::string, TypeId, std::less<>>* m = nullptr;
    switch (t.kind) {
      case TypeKind::Struct: m = &structs_; break;
      case TypeKind::Union: m = &unions_; break;
      case TypeKind::Enum: m = &enums_; break;
      case TypeKind::Typedef: m = &typedefs_; break;
      default: break;
    }
    // An anonymous enum's constants are constants too (the kernel's
    // `enum { TASK_COMM_LEN = 16 }`).
    for (size_t i = 0; i < t.enumerators.size(); ++i) enumerators_.emplace(t.enumerators[i].name, std::make_pair(id, i));
    if (!m || t.name.empty()) continue;
    auto [it, added] = m->emplace(t.name, id);
    // A declaration gives way to the first definition.
    if (!added && !types[it->second].complete && t.complete) it->second = id;
  }
}

const Type* Database::find(const std::map<std::string, TypeId, std::less<>>& m, std::string_view name) const {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &types[it->second];
}

const std::vector<size_t>& Database::rowsOf(uint32_t file, uint32_t line) const {
  static const std::vector<size_t> none;
  auto it = lineRows_.find({file, line});
  return it == lineRows_.end() ? none : it->second;
}

const Enumerator* Database::findEnumerator(std::string_view name) const {
  auto it = enumerators_.find(name);
  return it == enumerators_.end() ? nullptr : &types[it->second.first].enumerators[it->second.second];
}

namespace {

// C declarator syntax inside out: the base name, then what wraps it.
std::string declare(const Database& db, TypeId id, std::string inner, int depth) {
  if (depth > 64 || id >= db.types.size()) return "?" + inner;
  const Type& t = db.types[id];
  switch (t.kind) {
    case TypeKind::Void: return "void" + inner;
    case TypeKind::Base:
    case TypeKind::Typedef: return t.name + inner;
    case TypeKind::Struct: return "struct " + (t.name.empty() ? "<anonymous>" : t.name) + inner;
    case TypeKind::Union: return "union " + (t.name.empty() ? "<anonymous>" : t.name) + inner;
    case TypeKind::Enum: return "enum " + (t.name.empty() ? "<anonymous>" : t.name) + inner;
    case TypeKind::Function: return "void (" + inner + ")()";
    case TypeKind::Pointer: {
      const Type& to = t.target < db.types.size() ? db.types[t.target] : db.types[0];
      bool paren = to.kind == TypeKind::Array;
      return declare(db, t.target, paren ? "(*" + inner + ")" : " *" + inner, depth + 1);
    }
    case TypeKind::Array: return declare(db, t.target, inner + "[" + std::to_string(t.size) + "]", depth + 1);
  }
  return inner;
}

}  // namespace

std::string typeName(const Database& db, TypeId id) { return declare(db, id, "", 0); }

bool globMatch(std::string_view p, std::string_view s) {
  // Iterative matching with one backtrack point: linear in practice and
  // never recursive, whatever the pattern.
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi, ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace symdb
