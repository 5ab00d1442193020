// The guest symbol file of `emmett -s`, for GUEST: probes and symbol names
// in expressions: the engine's reader (vp/guest_symbols.h: formats, module
// names), with each malformed line reported at its place in the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/source_manager.h"
#include "vp/guest_symbols.h"

namespace emmett {

class SymbolFile {
 public:
  // Parses file `id` of `sm`; malformed lines are errors at their place.
  bool load(uint32_t id, const SourceManager& sm, Diagnostics& diags);
  bool loaded() const { return loaded_; }
  std::optional<uint64_t> find(const std::string& name) const { return symbols_.find(name); }
  // In file order, each name once.
  const std::vector<std::pair<std::string, uint64_t>>& all() const { return symbols_.all(); }

 private:
  bool loaded_ = false;
  vp::GuestSymbols symbols_;
};

}  // namespace emmett
