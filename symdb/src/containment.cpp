#include "symdb/src/containment.h"

#include <cstdint>
#include <vector>

namespace symdb {

// Depth-first over the "contains by value" edges (array element, typedef
// target, member), with the path on an explicit stack.
std::string selfContainingType(const Database& db) {
  const auto& types = db.types;
  std::vector<uint8_t> state(types.size(), 0);  // 0 new, 1 on the path, 2 done
  auto inner = [&](TypeId id, size_t i) -> const TypeId* {
    const Type& t = types[id];
    if (t.kind == TypeKind::Array || t.kind == TypeKind::Typedef) return i == 0 ? &t.target : nullptr;
    if (t.kind == TypeKind::Struct || t.kind == TypeKind::Union) return i < t.members.size() ? &t.members[i].type : nullptr;
    return nullptr;
  };
  for (TypeId root = 0; root < types.size(); ++root) {
    if (state[root]) continue;
    std::vector<std::pair<TypeId, size_t>> path{{root, 0}};
    state[root] = 1;
    while (!path.empty()) {
      auto& [id, next] = path.back();
      const TypeId* child = inner(id, next++);
      if (!child) {
        state[id] = 2;
        path.pop_back();
      } else if (state[*child] == 1) {
        return "type " + std::to_string(*child) + " contains itself";
      } else if (state[*child] == 0) {
        state[*child] = 1;
        path.emplace_back(*child, 0);
      }
    }
  }
  return "";
}

}  // namespace symdb
