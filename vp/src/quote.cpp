#include "vp/src/quote.h"

#include "vp/one_line.h"

namespace vp {

std::string escaped(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (isControlByte(c) || c >= 0x80) {
      appendByteEscape(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string quoted(std::string_view text) { return "\"" + escaped(text) + "\""; }

}  // namespace vp
