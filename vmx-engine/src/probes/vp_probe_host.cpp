#include "vmx-engine/vp_probe_host.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/host_clock.h"
#include "vmx-engine/guest_symbols_file.h"
#include "vmx-engine/src/probes/loaded_script.h"
#include "vmx-engine/src/probes/probe_support.h"
#include "vmx-engine/virtio_net.h"

namespace vmx {

namespace {

class VpProbeHost : public ProbeHost {
 public:
  VpProbeHost(vmm::Vm& vm, DeviceSet& devices, const vp::Options& options, vp::Sink& sink,
              const std::string& guestSymsFile)
      : vm_(vm), devices_(devices), options_(options), sink_(sink) {
    if (!guestSymsFile.empty())
      symsFile_.emplace(guestSymsFile, options.guestSymbols);
    reaper_ = std::thread([this] { reap(); });
  }

  ~VpProbeHost() override {
    {
      std::lock_guard<std::mutex> g(reapMu_);
      quit_ = true;
    }
    reapCv_.notify_all();
    reaper_.join();
    reset();
  }

  LoadResult load(std::string_view source, const std::string& sourceName,
                  vp::OutputFormat format) override {
    LoadResult r;
    options_.format = format;
    // A symbol file not fetched yet only matters to GUEST:symbol probes:
    // other scripts load, and a refused one is told why.
    std::string symsError, symsNote;
    if (symsFile_ && !symsFile_->current(options_.guestSymbols, symsError)) {
      if (symsFile_->exists()) {
        r.diagnostics.push_back(sourceName + ": error: " + symsError);
        return r;
      }
      options_.guestSymbols = nullptr;
      symsNote = sourceName + ": note: " + symsError;
    }
    std::vector<vp::Diagnostic> diags;
    std::unique_ptr<vp::Script> script = vp::Script::load(source, sourceName, options_, sink_, diags);
    if (script) monitorDiagnostics(*script, sourceName, diags);
    if (script) smmDiagnostics(*script, sourceName, smmRefusal(), diags);
    if (script)
      deviceDiagnostics(*script, sourceName, devices_.diskIo() != nullptr,
                        devices_.virtioNet() != nullptr, diags);
    for (const auto& d : diags) {
      r.diagnostics.push_back(d.render(source));
      if (d.severity == vp::Diagnostic::Severity::Error) script.reset();
    }
    if (!script) {
      if (!symsNote.empty()) r.diagnostics.push_back(symsNote);
      return r;
    }
    std::lock_guard<std::mutex> g(mu_);
    // Guest probes are checked against the guest before the running
    // script goes, so that a refused script leaves it running.
    std::vector<vp::Diagnostic> guestDiags;
    vmm::GuestProbePlan plan = vmm::planGuestProbes(vm_, *script, sourceName, guestDiags,
                                                         options_.guestSymbols.get());
    bool refused = false;
    for (const auto& d : guestDiags) {
      r.diagnostics.push_back(d.render(source));
      refused = refused || d.severity == vp::Diagnostic::Severity::Error;
    }
    if (refused) return r;
    unloadLocked();
    uint64_t generation = ++generation_;
    current_ = std::make_unique<LoadedScript>(
        std::move(script), vm_, devices_.diskIo(), devices_.virtioNet(), [this, generation] { requestReap(generation); },
        std::move(plan), [this](const std::string& line) { sink_.error(vmm::readTsc(), line + "\n"); });
    current_->load();
    r.ok = true;
    r.script = generation;
    return r;
  }

  void reset() override {
    std::lock_guard<std::mutex> g(mu_);
    unloadLocked();
  }

  uint64_t loadedScript() override {
    std::lock_guard<std::mutex> g(mu_);
    return current_ ? generation_ : 0;
  }

  bool resetScript(uint64_t script) override {
    std::lock_guard<std::mutex> g(mu_);
    if (!current_ || generation_ != script) return false;
    unloadLocked();
    return true;
  }

  std::vector<std::string> listProbes() override { return monitorProbeNames(); }
  std::vector<std::string> listGlobals() override { return builtinGlobalNames(); }
  std::string version() override { return options_.version.str(); }

 private:
  // Why SMM_* cannot fire on this VM ("" when they can): the host's KVM
  // has no SMM, or the platform has no SMI source (a Linux guest).
  std::string smmRefusal() {
    if (!vm_.smmRefusal().empty()) return vm_.smmRefusal();
    if (!devices_.apm()) return "this VM's platform has no SMI source (the APM control port is the demo platform's)";
    return "";
  }

  void unloadLocked() {
    if (!current_) return;
    current_->unload();
    current_.reset();
  }

  // Called on a firing thread: only hands the work over.
  void requestReap(uint64_t generation) {
    {
      std::lock_guard<std::mutex> g(reapMu_);
      reapGeneration_ = generation;
    }
    reapCv_.notify_all();
  }

  void reap() {
    std::unique_lock<std::mutex> lock(reapMu_);
    for (;;) {
      reapCv_.wait(lock, [this] { return quit_ || reapGeneration_ != 0; });
      if (quit_) return;
      uint64_t generation = reapGeneration_;
      reapGeneration_ = 0;
      lock.unlock();
      {
        std::lock_guard<std::mutex> g(mu_);
        // Only the script that asked: another may have been loaded since.
        if (generation == generation_) unloadLocked();
      }
      lock.lock();
    }
  }

  vmm::Vm& vm_;
  DeviceSet& devices_;
  vp::Options options_;
  vp::Sink& sink_;
  std::optional<GuestSymbolsFile> symsFile_;  // vprobe.guestSyms, if set
  std::mutex mu_;  // load, reset and the reaper, one at a time
  std::unique_ptr<LoadedScript> current_;
  uint64_t generation_ = 0;

  std::mutex reapMu_;
  std::condition_variable reapCv_;
  uint64_t reapGeneration_ = 0;
  bool quit_ = false;
  std::thread reaper_;
};

}  // namespace

std::unique_ptr<ProbeHost> makeVpProbeHost(vmm::Vm& vm, DeviceSet& devices,
                                           const vp::Options& options, vp::Sink& sink,
                                           const std::string& guestSymsFile) {
  return std::make_unique<VpProbeHost>(vm, devices, options, sink, guestSymsFile);
}

}  // namespace vmx
