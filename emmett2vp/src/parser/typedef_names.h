// The set of typedef names declared so far. C's grammar cannot tell
// `PRDA *p;` (a declaration) from `a * b;` (an expression) without knowing
// which identifiers name types, so the parser keeps this set as it goes
// (the classic "lexer hack"): a typedef is usable after its declaration.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace emmett::parser {

class TypedefNames {
 public:
  void add(std::string name) { names_.insert(std::move(name)); }
  bool contains(std::string_view name) const { return names_.count(std::string(name)) != 0; }

 private:
  std::unordered_set<std::string> names_;
};

}  // namespace emmett::parser
