// Helpers for the engine's unit tests: load a script, run events against
// synthetic targets, capture what it prints.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vp/synthetic_host.h"
#include "vp/vp.h"

namespace vptest {

class CaptureSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view t) override {
    std::lock_guard<std::mutex> g(mu);
    out += t;
  }
  void error(uint64_t, std::string_view l) override {
    std::lock_guard<std::mutex> g(mu);
    err += l;
  }
  std::mutex mu;
  std::string out, err;
};

struct RunResult {
  bool loaded = false;
  std::string diagnostics;  // rendered
  std::string out, err;
};

// Loads `source` and runs `events` the way `vp run` does.
RunResult runScript(const std::string& source, const std::vector<std::string>& events,
                    bool interpret = false, vp::Options opts = {},
                    const std::function<void(vp::SyntheticTarget&)>& setup = {});

// Just the rendered diagnostics of loading `source` ("" if none).
std::string diagnosticsOf(const std::string& source, vp::Options opts = {});

}  // namespace vptest
