#include "vp/version.h"

#include <charconv>

namespace vp {

bool parseVersion(std::string_view text, Version& out) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) {
    return false;
  }
  auto number = [](std::string_view s, int& v) {
    // Digits only: from_chars would take "-0" as a number.
    if (s.empty() || s.size() > 4 || s[0] < '0' || s[0] > '9') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  return number(text.substr(0, dot), out.major) &&
         number(text.substr(dot + 1), out.minor);
}

}  // namespace vp
