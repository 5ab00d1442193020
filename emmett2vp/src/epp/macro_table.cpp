#include "emmett2vp/src/epp/macro_table.h"

namespace emmett {

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

const Macro* MacroTable::define(std::string name, Macro m) {
  auto it = macros_.find(name);
  if (it == macros_.end()) {
    macros_.emplace(std::move(name), std::move(m));
    return nullptr;
  }
  previous_ = std::move(it->second);
  it->second = std::move(m);
  return &previous_;
}

void MacroTable::undefine(std::string_view name) {
  auto it = macros_.find(name);
  if (it != macros_.end()) macros_.erase(it);
}

const Macro* MacroTable::find(std::string_view name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : &it->second;
}

}  // namespace emmett
