#include "emmett2vp/src/sema/format_check.h"

namespace emmett {

FormatInfo parsePrintfFormat(std::string_view f) {
  FormatInfo info;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    size_t start = i++;
    if (i < f.size() && f[i] == '%') continue;
    while (i < f.size() && std::string_view("-+ #0").find(f[i]) != std::string_view::npos) ++i;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    if (i < f.size() && f[i] == '.') {
      ++i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    }
    if (i < f.size() && f[i] == '*') {
      info.ok = false;
      info.error = "'*' widths and precisions are not supported by VP's printf";
      return info;
    }
    while (i < f.size() && (f[i] == 'h' || f[i] == 'l')) ++i;
    if (i >= f.size()) {
      info.ok = false;
      info.error = "the format ends in the middle of a conversion";
      return info;
    }
    char c = f[i];
    if (std::string_view("diuxXocsp").find(c) == std::string_view::npos) {
      info.ok = false;
      info.error = std::string("unknown conversion '") + std::string(f.substr(start, i - start + 1)) + "' in the format";
      return info;
    }
    info.wantsString.push_back(c == 's');
    info.conversions.emplace_back(f.substr(start, i - start + 1));
  }
  return info;
}

}  // namespace emmett
