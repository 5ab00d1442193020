// What every tool's --version prints, apart from the CLI11 parsing in
// cmdline.h (which is heavy to compile: the build id's file is rebuilt at
// every commit and need not pay for it).
#pragma once

#include <string>
#include <string_view>

namespace cmdline {

// "TOOL (VProbes on KVM) VP 1.3, build BUILD": the newest VP the engine
// runs, and the build (the git commit the Makefile passed, else "unknown").
std::string versionText(std::string_view tool);
std::string_view buildId();

}  // namespace cmdline
