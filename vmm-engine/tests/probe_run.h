// Test support: a VP script armed in a booted VM the way the VM process
// does it (planGuestProbes, then VmmProbes), with its output captured.
#pragma once

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "booted.h"
#include "vmm-engine/guest_probes.h"
#include "vmm-engine/vmm_probes.h"
#include "vp/vp.h"

namespace vmm_test {

class CaptureSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view text) override {
    std::lock_guard l(mu_);
    out_ += text;
  }
  void error(uint64_t, std::string_view line) override {
    std::lock_guard l(mu_);
    err_ += line;
  }
  std::string out() {
    std::lock_guard l(mu_);
    return out_;
  }
  std::string err() {
    std::lock_guard l(mu_);
    return err_;
  }

 private:
  std::mutex mu_;
  std::string out_, err_;
};

struct ProbeRun {
  vmm::Vm& vm;
  CaptureSink sink;
  std::unique_ptr<vp::Script> script;
  std::unique_ptr<vmm::VmmProbes> probes;
  std::vector<std::string> errors;   // load-time errors, one per diagnostic
  std::vector<std::string> warnings;  // load-time warnings (the script still loads)
  std::vector<std::string> reports;  // runtime reports of the guest probes
  std::mutex reportMu;

  explicit ProbeRun(vmm::Vm& v) : vm(v) {}
  ~ProbeRun() { unload(); }

  // Compiles, plans and arms; false (errors filled) when refused.
  bool load(const std::string& source) {
    std::vector<vp::Diagnostic> diags;
    script = vp::Script::load(source, "test.vp", vp::Options{}, sink, diags);
    if (!script) {
      for (auto& d : diags) errors.push_back(d.message);
      return false;
    }
    vmm::GuestProbePlan plan = vmm::planGuestProbes(vm, *script, "test.vp", diags);
    for (auto& d : diags)
      (d.severity == vp::Diagnostic::Severity::Error ? errors : warnings).push_back(d.message);
    for (auto& e : errors) UNSCOPED_INFO("refused: " << e);
    if (!errors.empty()) return false;
    probes = std::make_unique<vmm::VmmProbes>(
        vm, *script, [] {}, std::move(plan), [this](const std::string& line) {
          std::lock_guard l(reportMu);
          reports.push_back(line);
        });
    probes->load();
    return true;
  }
  // Unloads (VMMUnload fires) and returns everything the script printed.
  std::string unload() {
    if (probes) probes->unload();
    probes.reset();
    return sink.out();
  }
};

inline std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "\n";
  return s;
}

}  // namespace vmm_test
