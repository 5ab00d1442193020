// The build, as the Makefile names it (VP_BUILD_ID: `git describe` of the
// tree built, "-dirty" with uncommitted changes). Only this file sees the
// macro, so a new commit recompiles one file.
#include "cmdline/version.h"

#ifndef VP_BUILD_ID
#define VP_BUILD_ID "unknown"
#endif

namespace cmdline {

std::string_view buildId() {
  std::string_view id = VP_BUILD_ID;
  return id.empty() ? "unknown" : id;
}

}  // namespace cmdline
