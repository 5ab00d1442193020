#include "vmx-client/config_values.h"

#include <limits>

#include "vmx-client/src/text_util.h"

namespace vmx {

bool parseBoolValue(std::string_view text, bool& out) {
  for (std::string_view yes : {"true", "yes", "1"}) {
    if (equalsIgnoreCase(text, yes)) return out = true, true;
  }
  for (std::string_view no : {"false", "no", "0"}) {
    if (equalsIgnoreCase(text, no)) return out = false, true;
  }
  return false;
}

bool parseUnsignedValue(std::string_view text, uint64_t min, uint64_t max,
                        uint64_t& out) {
  if (text.empty()) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  if (value < min || value > max) return false;
  out = value;
  return true;
}

std::string resolvePath(const std::string& dir, std::string_view value) {
  if (!value.empty() && value[0] == '/') return std::string(value);
  if (dir.empty() || dir.back() == '/') return dir + std::string(value);
  return dir + "/" + std::string(value);
}

}  // namespace vmx
