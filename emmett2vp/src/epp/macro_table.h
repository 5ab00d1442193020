// EPP's object-like macros: name -> replacement text, with where each was
// defined (for redefinition warnings).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "emmett2vp/src/support/location.h"

namespace emmett {

struct Macro {
  std::string body;  // comments already removed
  Location where;    // file 0 for -D and predefined macros
};

class MacroTable {
 public:
  // Returns the previous definition, if any, so the caller can warn.
  const Macro* define(std::string name, Macro m);
  void undefine(std::string_view name);
  const Macro* find(std::string_view name) const;

 private:
  // Heterogeneous lookup avoids building a std::string per identifier.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Macro, Hash, std::equal_to<>> macros_;
  Macro previous_;
};

bool isIdentStart(char c);
bool isIdentChar(char c);

}  // namespace emmett
