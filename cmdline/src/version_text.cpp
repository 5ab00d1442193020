#include "cmdline/version.h"
#include "vp/version.h"

namespace cmdline {

std::string versionText(std::string_view tool) {
  return std::string(tool) + " (VProbes on KVM) VP " + vp::kEngineVersion.str() + ", build " +
         std::string(buildId());
}

}  // namespace cmdline
