// The VM process's whole life, with the test doubles as machine and probe
// host: each test forks; the child runs runVmProcess, which detaches a
// daemon exactly as `vmx` does, and the test talks to it over its socket.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "vmx-client/control_client.h"
#include "vmx-client/tests/temp_dir.h"
#include "vmx-engine/tests/test_doubles.h"
#include "vmx-engine/tests/wire_reply.h"
#include "vmx-client/vm_lock.h"
#include "vmx-client/vm_paths.h"
#include "vmx-engine/vm_process.h"
#include "vmx-client/vm_registry.h"

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The doubles of the daemon; a script containing "poweroff" makes the
// machine stop as if the guest had powered off.
class GuestStopsOnLoad : public vmxtest::RecordingProbeHost {
 public:
  GuestStopsOnLoad(vmxtest::CallLog& log, vmx::Machine& m) : RecordingProbeHost(log), m_(m) {}
  vmx::LoadResult load(std::string_view source, const std::string& name,
                       vp::OutputFormat format) override {
    if (source.find("poweroff") != std::string_view::npos) m_.requestStop();
    return RecordingProbeHost::load(source, name, format);
  }

 private:
  vmx::Machine& m_;
};

bool powerOnDoubles(const vmx::VmxConfig&, vp::Sink& sink, vmx::PoweredOnVm& out,
                    std::string&) {
  static vmxtest::CallLog log;  // in the daemon: lives until it exits
  log.mirror = &sink;
  auto machine = std::make_unique<vmxtest::ControlledMachine>(log, 3);
  out.probes = std::make_unique<GuestStopsOnLoad>(log, *machine);
  out.machine = std::move(machine);
  return true;
}

bool powerOnFails(const vmx::VmxConfig&, vp::Sink&, vmx::PoweredOnVm&, std::string& error) {
  error = "no KVM here";
  return false;
}

// Probe output reaches the file within the flush period; waits for it.
bool waitForText(const std::string& path, const std::string& text) {
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (vmxtest::readAll(path) != text) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct VmFixture {
  vmxtest::TempDir dir;
  std::string runtime = dir.file("rt");
  vmx::VmxConfig config;
  vmx::HostConfig host;
  vmx::VmPaths paths;

  explicit VmFixture(const std::string& extra = "", const std::string& subdir = "") {
    ::setenv("VPROBE_RUNTIME_DIR", runtime.c_str(), 1);
    if (!subdir.empty()) std::filesystem::create_directories(dir.file(subdir));
    std::string vmxFile = dir.write((subdir.empty() ? "" : subdir + "/") + "demo.vmx",
                                    "guest.image = \"demo.elf\"\n"
                                    "vprobe.enable = \"TRUE\"\n" + extra);
    std::vector<vmx::ConfigError> errors;
    REQUIRE(vmx::loadVmxConfig(vmxFile, config, errors));
    host.vprobeAllow = true;
    host.path = "/etc/vprobes/config";
    paths = vmx::vmPathsFor(config.vmxPath, runtime);
  }
  ~VmFixture() {
    vmx::Response<vmx::StopRequest> reply;
    std::string error;
    vmx::sendRequest(paths.socket, vmx::StopRequest{}, reply, error, 2s);
    vmx::VmLock::waitReleased(paths.lock, 5s);
    ::unsetenv("VPROBE_RUNTIME_DIR");
  }

  // Runs the launcher in a child, as `vmx X.vmx` would; returns its exit
  // status, and what it printed in `err`.
  int start(const vmx::PowerOn& powerOn, std::string& err) {
    std::string errFile = dir.file("launcher.err");
    pid_t child = ::fork();
    if (child == 0) {
      int fd = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 2);
      ::_exit(vmx::runVmProcess(config, host, powerOn, {}));
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    err = vmxtest::readAll(errFile);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  json send(const vmx::Request& request) { return vmxtest::wireReply(paths.socket, request); }

  bool filesGone() const {
    return ::access(paths.socket.c_str(), F_OK) != 0 &&
           ::access(paths.lock.c_str(), F_OK) != 0 &&
           ::access(paths.registryEntry.c_str(), F_OK) != 0;
  }
};

}  // namespace

TEST_CASE("vm process: start, serve, list, stop") {
  VmFixture vm;
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  CHECK(err.empty());

  // Up means: locked, serving, registered.
  CHECK(vmx::VmLock::isHeld(vm.paths.lock));
  json status = vm.send(vmx::StatusRequest{});
  CHECK(status["vmx"] == vm.config.vmxPath);
  CHECK(status["state"] == "running");
  pid_t pid = status["pid"].get<pid_t>();
  CHECK(pid != ::getpid());
  CHECK(vmx::VmLock::recordedPid(vm.paths.lock) == pid);
  auto running = vmx::VmRegistry(vm.runtime).running();
  REQUIRE(running.size() == 1);
  CHECK(running[0].vmx == vm.config.vmxPath);
  CHECK(running[0].pid == pid);
  struct stat st {};
  REQUIRE(::stat(vm.paths.socket.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  CHECK(vm.send(vmx::VprobeLoadRequest{.script = "s1"})["ok"] == true);
  CHECK(vm.send(vmx::VprobeVersionRequest{})["enabled"] == true);
  CHECK(vm.send(vmx::StopRequest{})["pid"] == pid);
  REQUIRE(vmx::VmLock::waitReleased(vm.paths.lock, 5s));
  CHECK(vm.filesGone());
  CHECK(vmx::VmRegistry(vm.runtime).running().empty());
  CHECK(vmxtest::readAll(vm.config.outFile).starts_with(
      "load <command line> s1\nreset\nrequestStop\n"));
  std::string log = vmxtest::readAll(vm.paths.log);
  CHECK(log.find("| vmx| serving") != std::string::npos);
  CHECK(log.find("| vmx| stop requested") != std::string::npos);
  CHECK(log.find("| vmx| VM process exiting") != std::string::npos);
}

TEST_CASE("vm process: a .vmx too deep for sun_path gets its socket in the runtime dir") {
  VmFixture vm("", std::string(60, 'a') + "/" + std::string(60, 'b'));
  REQUIRE(vm.paths.socketInRuntimeDir);
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  CHECK(vm.send(vmx::StatusRequest{})["ok"] == true);
  CHECK(::access((vm.config.vmxPath + ".sock").c_str(), F_OK) != 0);
  auto running = vmx::VmRegistry(vm.runtime).running();
  REQUIRE(running.size() == 1);
  CHECK(running[0].socket == vm.paths.socket);  // recorded where it went
  CHECK(vmxtest::readAll(vm.paths.lock).ends_with("\n" + vm.paths.socket + "\n"));
  CHECK(vmxtest::readAll(vm.paths.log).find("(the path beside the .vmx is too long)") !=
        std::string::npos);
  CHECK(vm.send(vmx::StopRequest{})["ok"] == true);
  REQUIRE(vmx::VmLock::waitReleased(vm.paths.lock, 5s));
  CHECK(vm.filesGone());
}

TEST_CASE("vm process: a second start of the same VM is refused") {
  VmFixture vm;
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  pid_t pid = vm.send(vmx::StatusRequest{})["pid"].get<pid_t>();
  CHECK(vm.start(powerOnDoubles, err) == 1);
  CHECK(err == "Error: The virtual machine is already running (pid " + std::to_string(pid) +
                   "): " + vm.config.vmxPath + "\n");
  // The refused start left the running VM and its files alone.
  CHECK(vm.send(vmx::StatusRequest{})["pid"] == pid);
  CHECK(vmx::VmRegistry(vm.runtime).running().size() == 1);
}

TEST_CASE("vm process: a power-on failure is reported and leaves nothing behind") {
  VmFixture vm;
  std::string err;
  CHECK(vm.start(powerOnFails, err) == 1);
  CHECK(err == "Error: cannot power on " + vm.config.vmxPath + ": no KVM here\n");
  CHECK(vm.filesGone());
  CHECK(vmxtest::readAll(vm.paths.log).find("power-on failed: cannot power on") !=
        std::string::npos);
}

TEST_CASE("vm process: vprobe.vpFile is loaded at power-on") {
  VmFixture vm("vprobe.vpFile = \"boot.vp\"\n");
  vm.dir.write("boot.vp", "(vprobe VMXLoad)");
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  CHECK(waitForText(vm.config.outFile, "load " + vm.dir.file("boot.vp") + " (vprobe VMXLoad)\n"));
}

TEST_CASE("vm process: a vprobe.vpFile with errors fails the start") {
  VmFixture vm("vprobe.vpFile = \"bad.vp\"\n");
  vm.dir.write("bad.vp", "error");
  std::string err;
  CHECK(vm.start(powerOnDoubles, err) == 1);
  std::string bad = vm.dir.file("bad.vp");
  CHECK(err == "Error: vprobe.vpFile " + bad + " has errors; it was not loaded\n" + bad +
                   ":1:2: error: unknown identifier 'error'\n");
  CHECK(vm.filesGone());
}

TEST_CASE("vm process: a vprobe.vpFile is refused without vprobe.allow") {
  VmFixture vm("vprobe.vpFile = \"boot.vp\"\n");
  vm.dir.write("boot.vp", "(vprobe VMXLoad)");
  vm.host.vprobeAllow = false;
  std::string err;
  CHECK(vm.start(powerOnDoubles, err) == 1);
  CHECK(err.find("Error: cannot load vprobe.vpFile " + vm.dir.file("boot.vp") +
                 ": VProbes are not allowed on this host") == 0);
  CHECK(vm.filesGone());
  CHECK(::access(vm.paths.log.c_str(), F_OK) != 0);  // refused before detaching
}

TEST_CASE("vm process: an unreadable vprobe.vpFile fails the start at once") {
  VmFixture vm("vprobe.vpFile = \"missing.vp\"\n");
  std::string err;
  CHECK(vm.start(powerOnDoubles, err) == 1);
  CHECK(err == "Error: cannot load vprobe.vpFile " + vm.dir.file("missing.vp") +
                   ": No such file or directory\n");
  CHECK(vm.filesGone());
}

TEST_CASE("vm process: SIGTERM stops the VM cleanly") {
  VmFixture vm;
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  pid_t pid = vm.send(vmx::StatusRequest{})["pid"].get<pid_t>();
  REQUIRE(::kill(pid, SIGTERM) == 0);
  REQUIRE(vmx::VmLock::waitReleased(vm.paths.lock, 5s));
  CHECK(vm.filesGone());
  CHECK(vmxtest::readAll(vm.config.outFile).starts_with("reset\nrequestStop\n"));
}

TEST_CASE("vm process: when the guest powers off, the process ends and cleans up") {
  VmFixture vm;
  std::string err;
  REQUIRE(vm.start(powerOnDoubles, err) == 0);
  CHECK(vm.send(vmx::VprobeLoadRequest{.script = "poweroff"})["ok"] == true);
  REQUIRE(vmx::VmLock::waitReleased(vm.paths.lock, 5s));
  CHECK(vm.filesGone());
  std::string log = vmxtest::readAll(vm.paths.log);
  CHECK(log.find("machine stopped, exit status 3; exits=0 irqs=0") != std::string::npos);
  CHECK(log.find("script <command line> loaded; exits=0 irqs=0") != std::string::npos);
  // The script was unloaded on the way out.
  CHECK(vmxtest::readAll(vm.config.outFile) ==
        "requestStop\nload <command line> poweroff\nreset\n");
}
