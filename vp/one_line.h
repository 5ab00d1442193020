// Keeping a message on one line. Every diagnostic of this project is one
// line ("FILE:LINE:COL: error: ..."), read line by line by vprobe, editors
// and scripts; a message that quotes user text (a script's string, a
// .vmx value) must not let that text's control bytes break or garble it.
// Header-only, so that libraries which do not link the engine use it too.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace vp {

inline bool isControlByte(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Appends `c` as an escape: \n, \t, else \xNN.
inline void appendByteEscape(unsigned char c, std::string& out) {
  if (c == '\n') {
    out += "\\n";
  } else if (c == '\t') {
    out += "\\t";
  } else {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
}

// `text` with its control bytes escaped, everything else as it is.
inline std::string oneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t plain = 0;  // start of the bytes not yet copied, none of them control
  for (size_t i = 0; i < text.size(); ++i) {
    if (!isControlByte(static_cast<unsigned char>(text[i]))) continue;
    out.append(text, plain, i - plain);
    appendByteEscape(static_cast<unsigned char>(text[i]), out);
    plain = i + 1;
  }
  out.append(text, plain);
  return out;
}

}  // namespace vp
