#include "vp/src/check/reserved.h"

#include "vp/vocabulary.h"

namespace vp {

bool isOperatorName(std::string_view name) { return isKind(name, WordKind::Operator); }

bool isReservedName(std::string_view name, Version v) {
  const Word* w = findWord(name);
  return w && reservesName(*w) && w->since <= v;
}

}  // namespace vp
