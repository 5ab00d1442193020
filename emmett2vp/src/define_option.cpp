#include "emmett2vp/emmett2vp.h"

namespace emmett {

bool parseDefines(const std::vector<std::string>& specs,
                  std::vector<std::pair<std::string, std::string>>& out, std::string& error) {
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (spec.empty() || eq == 0) {
      error = "-D expects NAME or NAME=VALUE, not '" + spec + "'";
      return false;
    }
    if (eq == std::string::npos) out.emplace_back(spec, "1");
    else out.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  return true;
}

}  // namespace emmett
