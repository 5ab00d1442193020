// Reads printf and printa formats the way the VP engine does
// (docs/vp-language.md), so that a literal format the engine would refuse
// at load time is an error at its Emmett line instead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace emmett {

struct FormatInfo {
  bool ok = true;
  std::string error;
  // One entry per argument the format consumes: true for %s.
  std::vector<bool> wantsString;
  std::vector<std::string> conversions;  // "%s", "%08x", ... for messages
};

// printf/sprintf: flags `-+ #0`, width and precision (at most 4096, or `*`:
// an integer argument before the conversion's own), `hh h
// l ll`, conversions `d i u x X o c s p %`.
FormatInfo parsePrintfFormat(std::string_view fmt);

// printa on an aggregate with nInt integer and nStr string keys: the
// printf conversions, each optionally preceded by a field selector (`%N$`
// a key, `%avg$`... a statistic) and the `=` flag; plain conversions take
// the keys and then avg, count, min, max and pct. "" or what is wrong.
std::string printaFormatError(std::string_view fmt, int nInt, int nStr);

}  // namespace emmett
