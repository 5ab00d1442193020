// Test doubles for the control plane's two interfaces. They record what
// the control plane asked of them, in order, so tests can check both the
// replies and the sequence (unload before stop).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "vmx-engine/machine.h"
#include "vmx-engine/probe_host.h"
#include "vp/vp.h"

namespace vmxtest {

// Shared log of calls, so order across the two doubles is visible. With a
// mirror, each call is also printed to it as a line (so a VM process run
// by a test shows its calls in vprobe.out).
struct CallLog {
  std::mutex mu;
  std::vector<std::string> calls;
  vp::Sink* mirror = nullptr;
  void add(std::string call) {
    std::lock_guard<std::mutex> lock(mu);
    if (mirror != nullptr) mirror->output(0, call + "\n");
    calls.push_back(std::move(call));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }
};

// Accepts any script except one containing "error", which it refuses with
// an engine-style diagnostic (logged "load NAME SOURCE", "load NAME (json)
// SOURCE" for JSON output); a script containing "warn" loads with a
// warning; "throw" makes it throw.
class RecordingProbeHost : public vmx::ProbeHost {
 public:
  explicit RecordingProbeHost(CallLog& log) : log_(log) {}
  vmx::LoadResult load(std::string_view source, const std::string& name,
                       vp::OutputFormat format) override {
    std::string json = format == vp::OutputFormat::Json ? " (json)" : "";
    log_.add("load " + name + json + " " + std::string(source));
    if (source.find("throw") != std::string_view::npos) throw std::runtime_error("boom");
    if (source.find("error") != std::string_view::npos) {
      return {false, {name + ":1:2: error: unknown identifier 'error'"}};
    }
    vmx::LoadResult ok{true, {}, ++lastScript_};
    if (source.find("warn") != std::string_view::npos) {
      ok.diagnostics.push_back(name + ":1:1: warning: version 1.9 is newer");
    }
    loaded_ = ok.script;
    return ok;
  }
  void reset() override {
    log_.add("reset");
    loaded_ = 0;
  }
  uint64_t loadedScript() override { return loaded_; }
  bool resetScript(uint64_t script) override {
    log_.add("resetScript " + std::to_string(script));
    if (script == 0 || script != loaded_.load()) return false;
    loaded_ = 0;
    return true;
  }
  // What a script that calls (exit) does to the host.
  void scriptExited() { loaded_ = 0; }
  std::vector<std::string> listProbes() override { return {"VMM1Hz", "VMXLoad"}; }
  std::vector<std::string> listGlobals() override { return {"RAX", "myCount"}; }
  std::string version() override { return "1.0"; }

 private:
  CallLog& log_;
  uint64_t lastScript_ = 0;
  std::atomic<uint64_t> loaded_{0};  // scriptExited() comes from a test's thread
};

// Runs until requestStop(); waitStopped() then returns `exitStatus`.
class ControlledMachine : public vmx::Machine {
 public:
  bool start(std::string&) override { return true; }
  explicit ControlledMachine(CallLog& log, int exitStatus = 0)
      : log_(log), exitStatus_(exitStatus) {}
  void requestStop() override {
    log_.add("requestStop");
    std::lock_guard<std::mutex> lock(mu_);
    state_ = vmx::MachineState::Stopping;
    cv_.notify_all();
  }
  int waitStopped() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return state_ != vmx::MachineState::Running; });
    state_ = vmx::MachineState::Stopped;
    return exitStatus_;
  }
  vmx::MachineState state() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return state_;
  }
  std::string exitSummary() const override { return "exits=0 irqs=0"; }  // runs no guest
  std::vector<std::pair<std::string, uint64_t>> exitStatistics() const override {
    return {{"monitor.exits", 0}, {"kvm.exits", 7}};
  }

 private:
  CallLog& log_;
  int exitStatus_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  vmx::MachineState state_ = vmx::MachineState::Running;
};

}  // namespace vmxtest
