#include "vmx-engine/vm_process.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vmx-engine/control_server.h"
#include "vmx-engine/daemon.h"
#include "vmx-engine/ordered_output.h"
#include "vmx-engine/probe_output.h"
#include "vmx-client/vm_lock.h"
#include "vmx-client/vm_paths.h"
#include "vmx-client/vm_registry.h"
#include "vmx-engine/vmx_log.h"
#include "vmx-engine/vprobe_policy.h"

namespace vmx {
namespace {

class VmProcess {
 public:
  VmProcess(const VmxConfig& config, const HostConfig& host, const PowerOn& powerOn)
      : config_(config), policy_(VprobePolicy::from(host, config)), powerOn_(powerOn) {
    config_.faultInjectionOff = policy_.faultInjectionOff();
  }

  int run(const VmProcessOptions& options);

 private:
  bool preflight(std::string& error);
  bool takeStopSignals(std::string& error);
  bool setUp(std::string& error);
  bool startMachine(std::string& error);
  bool loadVpFile(std::string& error);
  bool runMachine(std::string& error);
  bool serve(std::string& error);
  int waitStopped();
  void tearDown();

  VmxConfig config_;  // a copy: fault injection's verdict is added
  VprobePolicy policy_;
  const PowerOn& powerOn_;
  VmPaths paths_;
  std::string vpSource_;  // vprobe.vpFile's text, read before detaching
  UniqueFd signalFd_;
  std::unique_ptr<VmLock> lock_;
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<ProbeOutput> output_;
  std::unique_ptr<OrderedOutput> ordered_;  // the engine's sink, into output_
  PoweredOnVm vm_;
  bool machineWaited_ = false;
  bool registered_ = false;
};

int VmProcess::run(const VmProcessOptions& options) {
  std::string error;
  if (!preflight(error)) {
    std::fprintf(stderr, "Error: %s\n", error.c_str());
    return 1;
  }
  Detached detached;
  if (options.detach) {
    if (!detach(paths_.log, options.startTimeout, detached, error)) {
      std::fprintf(stderr, "Error: %s\n", error.c_str());
      return 1;
    }
    if (!detached.isDaemon) return detached.launcherStatus;
  }
  logLine("powering on " + config_.vmxPath + " (pid " + std::to_string(::getpid()) + ")");
  if (!takeStopSignals(error) || !setUp(error)) {
    logLine("power-on failed: " + error);
    tearDown();  // first, so that a retry right after the report finds no lock
    detached.report.fail("Error: " + error);
    return 1;
  }
  detached.report.ok();
  int status = waitStopped();
  tearDown();
  return status;
}

// What can be checked before anything is built, so that the user hears of
// it at once: the runtime directory, and whether vprobe.vpFile may load.
bool VmProcess::preflight(std::string& error) {
  std::string runtime = defaultRuntimeDir();
  if (!prepareRuntimeDir(runtime, error)) return false;
  paths_ = vmPathsFor(config_.vmxPath, runtime);
  if (config_.vpFile.empty()) return true;
  std::string why;
  if (!policy_.mayLoad(why) || !readTextFile(config_.vpFile, vpSource_, why)) {
    error = "cannot load vprobe.vpFile " + config_.vpFile + ": " + why;
    return false;
  }
  return true;
}

// SIGTERM and SIGINT become a clean stop, read by the control thread from a
// signalfd; blocked here, before any thread exists, so that every thread
// inherits the mask and none of them is killed by them.
bool VmProcess::takeStopSignals(std::string& error) {
  ::signal(SIGPIPE, SIG_IGN);  // a vanished client must not kill the VM
  ::signal(SIGHUP, SIG_IGN);   // nor the terminal it was started from
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  signalFd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0 || !signalFd_) {
    error = std::string("cannot set up signals: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool VmProcess::setUp(std::string& error) {
  lock_ = VmLock::acquire(paths_.lock, error);
  if (!lock_) {
    error += ": " + config_.vmxPath;
    return false;
  }
  server_ = ControlServer::listen(paths_.socket, error);
  if (!server_ || !lock_->record(::getpid(), paths_.socket, error)) return false;
  logLine("control socket " + paths_.socket +
          (paths_.socketInRuntimeDir ? " (the path beside the .vmx is too long)" : ""));
  for (const std::string& warning : config_.warnings) logLine("warning: " + warning);
  output_ = ProbeOutput::open(config_.outFile, config_.errFile, config_.outputSharing, error);
  if (!output_) return false;
  ordered_ = std::make_unique<OrderedOutput>(*output_, config_.outputBufferBytes);
  return startMachine(error) && loadVpFile(error) && runMachine(error) && serve(error);
}

bool VmProcess::startMachine(std::string& error) {
  if (!powerOn_(config_, ordered_->sink(), vm_, error)) {
    error = "cannot power on " + config_.vmxPath + ": " + error;
    return false;
  }
  if (!vm_.machine || !vm_.probes) {
    error = "cannot power on " + config_.vmxPath + ": no machine or probe host was built";
    return false;
  }
  logLine("powered on: " + std::to_string(config_.numVcpus) + " vCPU(s), " +
          std::to_string(config_.memsizeMiB) + " MiB");
  return true;
}

bool VmProcess::runMachine(std::string& error) {
  if (vm_.machine->start(error)) return true;
  error = "cannot start the vCPUs of " + config_.vmxPath + ": " + error;
  return false;
}

bool VmProcess::loadVpFile(std::string& error) {
  if (config_.vpFile.empty()) return true;
  LoadResult result = vm_.probes->load(vpSource_, config_.vpFile, vp::OutputFormat::Text);
  std::string diagnostics;
  for (const std::string& d : result.diagnostics) diagnostics += "\n" + d;
  if (!result.ok) {
    error = "vprobe.vpFile " + config_.vpFile + " has errors; it was not loaded" + diagnostics;
    return false;
  }
  logLine("loaded vprobe.vpFile " + config_.vpFile + diagnostics);
  return true;
}

bool VmProcess::serve(std::string& error) {
  VmRegistry registry(paths_.runtimeDir);
  if (!registry.add({config_.vmxPath, ::getpid(), paths_.socket, paths_.lock}, error)) {
    return false;
  }
  registered_ = true;
  server_->start({*vm_.machine, *vm_.probes, *output_, policy_, config_.vmxPath,
                  config_.displayName, [this] { ordered_->flush(); },
                  [this] { return ordered_->lostLines(); }},
                 std::move(signalFd_));
  logLine("serving");
  return true;
}

int VmProcess::waitStopped() {
  machineWaited_ = true;
  int status = vm_.machine->waitStopped();
  logLine("machine stopped, exit status " + std::to_string(status) + "; " +
          vm_.machine->exitSummary());
  return status;
}

// Undoes setUp in reverse; safe after a partial setUp. The lock goes last,
// so whoever sees it free also sees every other file gone.
void VmProcess::tearDown() {
  if (server_) server_->stop();
  if (vm_.probes) vm_.probes->reset();  // the guest may have stopped by itself
  if (vm_.machine && !machineWaited_) {
    vm_.machine->requestStop();
    vm_.machine->waitStopped();
  }
  vm_.probes.reset();
  vm_.machine.reset();
  if (registered_) VmRegistry(paths_.runtimeDir).remove(config_.vmxPath);
  server_.reset();
  ordered_.reset();  // writes what the unload probes printed
  output_.reset();
  if (lock_) logLine("VM process exiting");
  lock_.reset();
}

}  // namespace

int runVmProcess(const VmxConfig& config, const HostConfig& host,
                 const PowerOn& powerOn, const VmProcessOptions& options) {
  return VmProcess(config, host, powerOn).run(options);
}

}  // namespace vmx
