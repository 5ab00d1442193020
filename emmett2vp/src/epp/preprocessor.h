// EPP, the Emmett preprocessor (the slides' "much like the C
// preprocessor"): object-like #define/#undef, #include, conditional
// inclusion with #if/#ifdef/#ifndef/#elif/#else/#endif, #error, #warning,
// #line, -D definitions and the predefined macros __version__ and __kvm__.
//
// The output is one text buffer for the parser plus a LineMap that takes
// every output position back to its original file, line and column.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/line_map.h"
#include "emmett2vp/src/support/source_manager.h"

namespace emmett {

struct EppOptions {
  // -D NAME[=VAL]; VAL defaults to 1.
  std::vector<std::pair<std::string, std::string>> defines;
  std::vector<std::string> includeDirs;  // -I, searched in order
  int versionNumber = 102;               // __version__: 100*major + minor
  static constexpr int kMaxIncludeDepth = 64;
};

struct EppOutput {
  std::string text;
  LineMap map;
};

// Preprocesses file `mainFile` (already in `sm`, whose name is its path).
// Included files are added to `sm`. Returns false if errors were reported.
bool preprocess(uint32_t mainFile, SourceManager& sm, const EppOptions& opts,
                Diagnostics& diags, EppOutput& out);

// Several files as one script: each in turn, as if a main file #included
// them in order, so macros carry over from one to the next while comments
// and #if groups must close in the file that opened them.
bool preprocess(std::span<const uint32_t> files, SourceManager& sm, const EppOptions& opts,
                Diagnostics& diags, EppOutput& out);

}  // namespace emmett
