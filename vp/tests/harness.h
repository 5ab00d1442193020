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

using TargetSetup = std::function<void(vp::SyntheticTarget&)>;

// Loads `source` and runs `events` the way `vp run` does.
RunResult runScript(const std::string& source, const std::vector<std::string>& events,
                    bool interpret = false, vp::Options opts = {},
                    const TargetSetup& setup = {});

// A script loaded once and run many times, each run as runScript does it
// on fresh targets and fresh contexts (so fresh VP variables). For a fuzz
// target whose script is fixed: loading is most of what runScript costs.
// What a script keeps in itself (aggregates, histograms, bags, shared
// variables) would carry from one run to the next: run only scripts that
// declare none of them.
class LoadedScript {
 public:
  LoadedScript(const std::string& source, bool interpret, vp::Options opts = {});
  // `loaded` and `diagnostics`; the output of loading, if any, in `out`/`err`.
  const RunResult& load() const { return load_; }
  // Requires load().loaded.
  RunResult run(const std::vector<std::string>& events, const TargetSetup& setup = {});

 private:
  CaptureSink sink_;
  std::unique_ptr<vp::Script> script_;
  RunResult load_;
};

// Just the rendered diagnostics of loading `source` ("" if none).
std::string diagnosticsOf(const std::string& source, vp::Options opts = {});

}  // namespace vptest
