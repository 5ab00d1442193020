// Guest symbol files for GUEST: probes and symbol names in expressions:
// `nm` output and System.map (`ADDR TYPE NAME`), and /proc/kallsyms (the
// same with an optional `[module]`). Lines without an address (`nm`'s
// undefined symbols) are skipped; the first definition of a name wins.
// Module-qualified names, as the 2011 compiler took them (Windows style
// `module!name`): a NAME `nt!Foo` is found as `nt!Foo` and as `Foo`; a
// kallsyms line `ADDR t foo [ext4]` as `foo` and as `ext4!foo`. An address
// may be written the WinDbg way, `fffff800`01234560`.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/source_manager.h"

namespace emmett {

class SymbolFile {
 public:
  // Parses file `id` of `sm`; malformed lines are errors at their place.
  bool load(uint32_t id, const SourceManager& sm, Diagnostics& diags);
  bool loaded() const { return loaded_; }
  const uint64_t* find(const std::string& name) const;
  // In file order, each name once.
  const std::vector<std::pair<std::string, uint64_t>>& all() const { return list_; }

 private:
  bool parseLine(std::string_view line, Location loc, Diagnostics& diags);
  bool loaded_ = false;
  std::unordered_map<std::string, uint64_t> byName_;
  std::vector<std::pair<std::string, uint64_t>> list_;
};

}  // namespace emmett
