#include "vp/src/quote.h"

#include <cstdio>

namespace vp {

namespace {

bool isControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

void appendEscape(unsigned char c, std::string& out) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    default: {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
}

}  // namespace

std::string escaped(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (isControl(c) || c >= 0x80) {
      appendEscape(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string quoted(std::string_view text) { return "\"" + escaped(text) + "\""; }

std::string oneLine(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (isControl(c)) {
      appendEscape(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace vp
