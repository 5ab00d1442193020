#include "vp/src/format.h"

#include <cstdio>

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

// Parses one conversion after its '%'; i ends past the conversion char.
std::string parseConversion(std::string_view text, size_t& i, Conversion& c) {
  std::string flags;
  while (i < text.size() && isFlag(text[i])) flags.push_back(text[i++]);
  if (i < text.size() && text[i] == '*') {
    return "'*' field widths are not supported";
  }
  unsigned width = 0, precision = 0;
  bool hasPrecision = false;
  if (!readField(text, i, width)) return "field width larger than 4096";
  if (i < text.size() && text[i] == '.') {
    ++i;
    hasPrecision = true;
    if (i < text.size() && text[i] == '*') {
      return "'*' precisions are not supported";
    }
    if (!readField(text, i, precision)) return "precision larger than 4096";
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
  std::string prefix = "%" + flags + (width ? std::to_string(width) : "") +
                       (hasPrecision ? "." + std::to_string(precision) : "");
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
    default:
      return std::string("unknown conversion '%") + c.conv + "'";
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
    if (i < text.size() && text[i] == '%') {
      out.literal.back().push_back('%');
      ++i;
      continue;
    }
    Conversion c;
    std::string err = parseConversion(text, i, c);
    if (!err.empty()) return err;
    out.convs.push_back(std::move(c));
    out.literal.emplace_back();
  }
  return "";
}

namespace {

uint64_t truncated(uint64_t v, unsigned bits, bool isSigned) {
  if (bits == 64) return v;
  uint64_t mask = (uint64_t{1} << bits) - 1;
  v &= mask;
  if (isSigned && (v >> (bits - 1))) v |= ~mask;  // sign-extend
  return v;
}

void renderOne(const Conversion& c, uint64_t arg, std::string& out) {
  char buf[kMaxField + 64];
  int n = 0;
  switch (c.conv) {
    case 'd': case 'i':
      n = snprintf(buf, sizeof buf, c.spec.c_str(),
                   static_cast<long long>(truncated(arg, c.bits, true)));
      break;
    case 'u': case 'x': case 'X': case 'o':
      n = snprintf(buf, sizeof buf, c.spec.c_str(),
                   static_cast<unsigned long long>(truncated(arg, c.bits, false)));
      break;
    case 'c':
      n = snprintf(buf, sizeof buf, c.spec.c_str(),
                   static_cast<int>(static_cast<unsigned char>(arg)));
      break;
    case 's':
      n = snprintf(buf, sizeof buf, c.spec.c_str(),
                   reinterpret_cast<const char*>(arg));
      break;
    case 'p': {
      char hex[24];
      snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(arg));
      n = snprintf(buf, sizeof buf, c.spec.c_str(), hex);
      break;
    }
  }
  if (n < 0) return;
  // %c of 0 prints a NUL byte, as C does; keep it.
  out.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

}  // namespace

void renderFormat(const Format& f, const uint64_t* args, std::string& out) {
  out += f.literal[0];
  for (size_t i = 0; i < f.convs.size(); ++i) {
    renderOne(f.convs[i], args[i], out);
    out += f.literal[i + 1];
  }
}

}  // namespace vp
