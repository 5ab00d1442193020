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
  char conv = 'd';        // d i u x X o c s p, or % (only with a '*')
  std::string spec;       // a complete C format for one 64-bit argument,
                          // after the int of each '*'
  unsigned bits = 64;     // h: 16, hh: 8 (C's truncation)
  bool starWidth = false;      // width from an integer argument
  bool starPrecision = false;  // precision from an integer argument
  bool isString() const { return conv == 's'; }
  // glibc's "%*%" reads its '*' arguments and prints '%'.
  bool takesValue() const { return conv != '%'; }
  // Arguments the conversion reads: each '*' (integers), then its value.
  size_t argCount() const {
    return size_t{starWidth} + size_t{starPrecision} + size_t{takesValue()};
  }
};

struct Format {
  // Pieces alternate between literal text and conversions: literal[i] is
  // printed before conversion i; literal.back() after the last one.
  std::vector<std::string> literal;
  std::vector<Conversion> convs;
  // The arguments the format reads, in order: whether each is a string.
  std::vector<bool> argIsString() const;
  // What argument i is for, in messages: "conversion 2", or "the '*'
  // width of conversion 2" (or precision).
  std::string argRole(size_t i) const;
  // What reads arguments, in messages: "2 conversions", "1 conversion and
  // 2 '*' fields".
  std::string describeArgs() const;
};

// Returns "" on success, else what is wrong with the format.
std::string parseFormat(std::string_view text, Format& out);

// Appends the rendering to `out`. args[i] is the format's argument i (see
// argIsString): an integer, or for %s a pointer to a NUL-terminated string.
// Returns "" or, for a '*' argument out of range, what is wrong (then
// `out` holds what was rendered before it).
std::string renderFormat(const Format& f, const uint64_t* args, std::string& out);

}  // namespace vp
