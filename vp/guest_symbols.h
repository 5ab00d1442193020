// A guest's symbol table, for GUEST:symbol probes: `nm` output and
// System.map (`ADDRESS TYPE NAME`), and /proc/kallsyms (the same with a
// trailing `[module]`), the files Emmett's `-s` reads. Lines without an
// address (`nm`'s undefined symbols) are skipped; the first definition of a
// name wins. Immutable once parsed, so any thread may read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vp {

class GuestSymbols {
 public:
  // Parses `text`, read from `source` (a path, named in messages). On a
  // malformed line returns false with `error` set to
  // "SOURCE:LINE: malformed symbol line ...".
  static bool parse(std::string_view text, std::string source, GuestSymbols& out,
                    std::string& error);

  std::optional<uint64_t> find(std::string_view name) const;
  const std::string& source() const { return source_; }
  size_t size() const { return byName_.size(); }

 private:
  bool addLine(std::string_view line);
  std::string source_;
  std::unordered_map<std::string, uint64_t> byName_;
};

}  // namespace vp
