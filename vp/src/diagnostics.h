// Source positions and the diagnostics collected while loading a script.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vp/vp.h"

namespace vp {

struct Loc {
  uint32_t line = 0, col = 0;
};

// The position just after `text`, when `text` starts at `start`.
Loc advance(Loc start, std::string_view text);

// Errors are collected, not thrown, so one load reports as many as it can.
class Diagnostics {
 public:
  Diagnostics(std::string file, std::vector<Diagnostic>& out)
      : file_(std::move(file)), out_(out) {}
  void error(Loc at, std::string message);
  void warning(Loc at, std::string message);
  bool failed() const { return errors_ > 0; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
  int errors_ = 0;
};

}  // namespace vp
