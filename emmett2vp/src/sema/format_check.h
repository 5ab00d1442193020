// Reads a printf format the way VP's printf does (docs/vp-language.md):
// flags `-+ #0`, width, precision, `hh h l ll`, conversions `d i u x X o c
// s p %`. Used to check printf/sprintf arguments before VP is produced.
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

FormatInfo parsePrintfFormat(std::string_view fmt);

}  // namespace emmett
