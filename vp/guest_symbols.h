// A guest's symbol table, for GUEST:symbol probes (the engine's, from
// `vp --syms` or the .vmx's vprobe.guestSyms) and for Emmett's `-s`: one
// reader for both, so a file means the same to each.
//
// Formats: `nm` output and System.map (`ADDRESS TYPE NAME`), and
// /proc/kallsyms (the same with a trailing `[module]`). Lines without an
// address (`nm`'s undefined symbols) are skipped; the first definition of
// a name wins. Module-qualified names, as the 2011 Emmett compiler took
// them (Windows style `module!name`): a NAME `nt!Foo` is found as `nt!Foo`
// and as `Foo`; a kallsyms line `ADDR t foo [ext4]` as `foo` and as
// `ext4!foo`. An address may be written the WinDbg way,
// `fffff800`01234560`. Immutable once parsed, so any thread may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vp {

class GuestSymbols {
 public:
  // What every malformed line is told (after "SOURCE:LINE: ").
  static constexpr std::string_view kMalformed =
      "malformed symbol line (expected 'ADDRESS TYPE NAME', as nm or System.map print)";

  // Parses `text`, read from `source` (a path, named in messages). On a
  // malformed line returns false with `error` set to
  // "SOURCE:LINE: malformed symbol line ...".
  static bool parse(std::string_view text, std::string source, GuestSymbols& out,
                    std::string& error);
  // Parses every line it can; the 1-based numbers of malformed lines go to
  // `badLines`, and reading stops after `maxBad` of them (not a symbol
  // file at all).
  static GuestSymbols parseAll(std::string_view text, std::vector<size_t>& badLines,
                               size_t maxBad);

  std::optional<uint64_t> find(std::string_view name) const;
  // In file order, each name once, as the file spells it.
  const std::vector<std::pair<std::string, uint64_t>>& all() const { return list_; }
  const std::string& source() const { return source_; }
  size_t size() const { return list_.size(); }

 private:
  bool addLine(std::string_view line);
  std::string source_;
  std::unordered_map<std::string, uint64_t> byName_;
  std::vector<std::pair<std::string, uint64_t>> list_;
};

}  // namespace vp
