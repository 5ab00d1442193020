#include "emmett2vp/src/parser/literals.h"

namespace emmett::parser {

namespace {
int digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}
}  // namespace

bool parseIntLiteral(std::string_view t, uint64_t& out) {
  while (!t.empty() && (t.back() == 'u' || t.back() == 'U' || t.back() == 'l' || t.back() == 'L')) t.remove_suffix(1);
  unsigned base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  } else if (t.size() > 1 && t[0] == '0') {
    base = 8;
    t.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char c : t) {
    unsigned d = static_cast<unsigned>(digit(c));
    if (d >= base) return false;  // e.g. 09: not octal
    if (v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

std::string decodeEscapes(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\' || i + 1 >= t.size()) {
      out += t[i];
      continue;
    }
    char c = t[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        unsigned v = 0;
        size_t n = 0;
        while (n < 2 && i + 1 < t.size() && digit(t[i + 1]) < 16) v = v * 16 + digit(t[++i]), ++n;
        out += static_cast<char>(v);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          unsigned v = c - '0';
          for (int n = 0; n < 2 && i + 1 < t.size() && t[i + 1] >= '0' && t[i + 1] <= '7'; ++n) v = v * 8 + (t[++i] - '0');
          out += static_cast<char>(v);
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace emmett::parser
