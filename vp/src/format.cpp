#include "vp/src/format.h"

#include <algorithm>
#include <cstdio>

#include "vp/src/quote.h"

namespace vp {

namespace {

// Wide enough for any use; the bound keeps one conversion's text small.
constexpr unsigned kMaxField = 4096;

bool isFlag(char c) {
  return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0';
}

// Reads a decimal field (width or precision) at text[i].
bool readField(std::string_view text, size_t& i, unsigned& value) {
  value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + (text[i] - '0');
    if (value > kMaxField) return false;
    ++i;
  }
  return true;
}

// Reads a width or precision at text[i]: `*` (from an argument) or
// decimal digits, written into `spec` as C wants it.
std::string readSize(std::string_view text, size_t& i, bool& star, std::string& spec,
                     const char* what) {
  if (i < text.size() && text[i] == '*') {
    star = true;
    spec += text[i++];
    return "";
  }
  unsigned value = 0;
  if (!readField(text, i, value)) return std::string(what) + " larger than 4096";
  if (value) spec += std::to_string(value);
  return "";
}

// Parses one conversion after its '%'; i ends past the conversion char.
std::string parseConversion(std::string_view text, size_t& i, Conversion& c) {
  std::string prefix = "%";
  while (i < text.size() && isFlag(text[i])) prefix.push_back(text[i++]);
  std::string err = readSize(text, i, c.starWidth, prefix, "field width");
  if (!err.empty()) return err;
  if (i < text.size() && text[i] == '.') {
    prefix.push_back(text[i++]);
    err = readSize(text, i, c.starPrecision, prefix, "precision");
    if (!err.empty()) return err;
    if (!c.starPrecision && prefix.back() == '.') prefix += '0';
  }
  c.bits = 64;
  if (i < text.size() && text[i] == 'h') {
    c.bits = 16;
    if (++i < text.size() && text[i] == 'h') { c.bits = 8; ++i; }
  } else if (i < text.size() && text[i] == 'l') {
    if (++i < text.size() && text[i] == 'l') ++i;
  }
  if (i >= text.size()) return "format ends inside a conversion";
  c.conv = text[i++];
  switch (c.conv) {
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
      c.spec = prefix + "ll" + c.conv;
      return "";
    case 'c': case 's':
      c.spec = prefix + c.conv;
      return "";
    case 'p':
      // "0x" and hex, also for 0 (glibc would print "(nil)").
      c.spec = prefix + "s";
      return "";
    case '%':
      // glibc prints '%' whatever the flags, width and precision.
      c.spec = "%%";
      return "";
    default:
      return "unknown conversion '%" + escaped(std::string_view(&c.conv, 1)) + "'";
  }
}

}  // namespace

std::string parseFormat(std::string_view text, Format& out) {
  out = Format{};
  out.literal.emplace_back();
  size_t i = 0;
  while (i < text.size()) {
    char ch = text[i++];
    if (ch != '%') {
      out.literal.back().push_back(ch);
      continue;
    }
    Conversion c;
    std::string err = parseConversion(text, i, c);
    if (!err.empty()) return err;
    if (c.argCount() == 0) {  // "%%", "%5%": only text
      out.literal.back().push_back('%');
      continue;
    }
    out.convs.push_back(std::move(c));
    out.literal.emplace_back();
  }
  return "";
}

std::string Format::argRole(size_t i) const {
  for (size_t n = 0; n < convs.size(); ++n) {
    const Conversion& c = convs[n];
    std::string conv = "conversion " + std::to_string(n + 1);
    if (c.starWidth && i-- == 0) return "the '*' width of " + conv;
    if (c.starPrecision && i-- == 0) return "the '*' precision of " + conv;
    if (c.takesValue() && i-- == 0) return conv;
  }
  return "an argument";
}

namespace {

std::string counted(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::string Format::describeArgs() const {
  size_t values = 0, stars = 0;
  for (const Conversion& c : convs) {
    values += c.takesValue() ? 1 : 0;
    stars += size_t{c.starWidth} + size_t{c.starPrecision};
  }
  std::string out = counted(values, "conversion");
  if (stars) out += " and " + counted(stars, "'*' field");
  return out;
}

std::vector<bool> Format::argIsString() const {
  std::vector<bool> out;
  for (const Conversion& c : convs) {
    for (size_t k = 0; k < c.argCount(); ++k) {
      out.push_back(c.isString() && k + 1 == c.argCount());
    }
  }
  return out;
}

namespace {

uint64_t truncated(uint64_t v, unsigned bits, bool isSigned) {
  if (bits == 64) return v;
  uint64_t mask = (uint64_t{1} << bits) - 1;
  v &= mask;
  if (isSigned && (v >> (bits - 1))) v |= ~mask;  // sign-extend
  return v;
}

// The int C's printf takes for a '*'. C has no bound; ours keeps one
// conversion's text within kMaxField.
std::string starValue(uint64_t arg, bool isPrecision, int& out) {
  auto v = static_cast<int64_t>(arg);
  if (isPrecision && v < 0) {
    out = -1;  // a negative precision is taken as if it were omitted
    return "";
  }
  if (v > static_cast<int64_t>(kMaxField) || v < -static_cast<int64_t>(kMaxField)) {
    return isPrecision ? "'*' precision " + std::to_string(v) + " is larger than 4096"
                       : "'*' field width " + std::to_string(v) +
                             " is not between -4096 and 4096";
  }
  out = static_cast<int>(v);
  return "";
}

template <typename T>
int put(char* buf, size_t size, const Conversion& c, const int* star, T value) {
  const char* f = c.spec.c_str();
  switch (int{c.starWidth} + int{c.starPrecision}) {
    case 0: return snprintf(buf, size, f, value);
    case 1: return snprintf(buf, size, f, star[0], value);
    default: return snprintf(buf, size, f, star[0], star[1], value);
  }
}

// Renders conversion `c` from args[k...], advancing k past what it reads.
std::string renderOne(const Conversion& c, const uint64_t* args, size_t& k, std::string& out) {
  int star[2] = {0, 0};
  int nStars = 0;
  if (c.starWidth) {
    std::string err = starValue(args[k++], false, star[nStars++]);
    if (!err.empty()) return err;
  }
  if (c.starPrecision) {
    std::string err = starValue(args[k++], true, star[nStars++]);
    if (!err.empty()) return err;
  }
  if (!c.takesValue()) {
    out += '%';
    return "";
  }
  uint64_t arg = args[k++];
  char buf[2 * kMaxField + 64];
  int n = 0;
  switch (c.conv) {
    case 'd': case 'i':
      n = put(buf, sizeof buf, c, star, static_cast<long long>(truncated(arg, c.bits, true)));
      break;
    case 'u': case 'x': case 'X': case 'o':
      n = put(buf, sizeof buf, c, star,
              static_cast<unsigned long long>(truncated(arg, c.bits, false)));
      break;
    case 'c':
      n = put(buf, sizeof buf, c, star, static_cast<int>(static_cast<unsigned char>(arg)));
      break;
    case 's':
      n = put(buf, sizeof buf, c, star, reinterpret_cast<const char*>(arg));
      break;
    case 'p': {
      char hex[24];
      snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(arg));
      n = put(buf, sizeof buf, c, star, static_cast<const char*>(hex));
      break;
    }
  }
  if (n < 0) return "";
  // %c of 0 prints a NUL byte, as C does; keep it.
  out.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
  return "";
}

}  // namespace

std::string renderFormat(const Format& f, const uint64_t* args, std::string& out) {
  out += f.literal[0];
  size_t k = 0;
  for (size_t i = 0; i < f.convs.size(); ++i) {
    std::string err = renderOne(f.convs[i], args, k, out);
    if (!err.empty()) return err;
    out += f.literal[i + 1];
  }
  return "";
}

}  // namespace vp
