// printf-style formats: parsed once (at load time when the format is a
// literal), rendered with C's own snprintf per conversion so the result is
// exactly what C prints.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vp {

struct Conversion {
  char conv = 'd';        // d i u x X o c s p
  std::string spec;       // a complete C format for one 64-bit argument
  unsigned bits = 64;     // h: 16, hh: 8 (C's truncation)
  bool isString() const { return conv == 's'; }
};

struct Format {
  // Pieces alternate between literal text and conversions: literal[i] is
  // printed before conversion i; literal.back() after the last one.
  std::vector<std::string> literal;
  std::vector<Conversion> convs;
};

// Returns "" on success, else what is wrong with the format.
std::string parseFormat(std::string_view text, Format& out);

// Appends the rendering to `out`. args[i] is conversion i's argument: an
// integer, or for %s a pointer to a NUL-terminated string.
void renderFormat(const Format& f, const uint64_t* args, std::string& out);

}  // namespace vp
