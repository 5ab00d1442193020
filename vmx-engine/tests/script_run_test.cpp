// ScriptSession and runScript against a real control server whose probe
// host is the recording double: the double's calls are mirrored into
// vprobe.out ("load NAME SCRIPT", "resetScript N"), which shows what the
// run streamed and in which order.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "vmx-client/control_client.h"
#include "vmx-engine/control_server.h"
#include "vmx-client/script_run.h"
#include "vmx-client/script_session.h"
#include "vmx-client/tests/temp_dir.h"
#include "vmx-engine/tests/test_doubles.h"

using namespace std::chrono_literals;
using vmx::RunEnd;

namespace {

struct RunFixture {
  // Before any thread: the server's thread inherits the blocked signals.
  vmx::StopSignals signals;
  vmxtest::TempDir dir;
  vmxtest::CallLog log;
  vmxtest::RecordingProbeHost probes{log};
  vmxtest::ControlledMachine machine{log};
  std::unique_ptr<vmx::ProbeOutput> output;
  std::unique_ptr<vmx::ControlServer> server;
  std::string vmx = dir.write("demo.vmx", "");
  std::unique_ptr<vmx::ScriptSession> session;
  std::string out;
  std::vector<std::string> errors;

  RunFixture() {
    std::string error;
    output = vmx::ProbeOutput::open(dir.file("vprobe.out"), dir.file("vprobe.err"), {}, error);
    REQUIRE(output);
    output->output(0, "earlier output\n");
    log.mirror = output.get();
    server = vmx::ControlServer::listen(vmx + ".sock", error);
    REQUIRE(server);
    vmx::VprobePolicy policy{true, "/etc/vprobes/config", true, vmx};
    server->start({machine, probes, *output, policy, vmx, "demo"});
    REQUIRE(vmx::ScriptSession::connect(vmx, session, error) == vmx::SessionStatus::Ok);
  }

  void load(const std::string& script = "(vprobe VMM1Hz)") {
    std::vector<std::string> diagnostics;
    std::string error;
    REQUIRE(session->load(script, "t.vp", diagnostics, error) == vmx::SessionStatus::Ok);
  }

  vmx::RunResult run(std::optional<std::chrono::milliseconds> duration, bool outputOpen = true) {
    vmx::RunOptions options;
    options.duration = duration;
    options.askEvery = 20ms;
    vmx::RunSinks sinks;
    sinks.output = [&, outputOpen](std::string_view s) {
      out += s;
      return outputOpen;
    };
    sinks.error = [&](std::string_view line) {
      errors.emplace_back(line);
      return true;
    };
    return vmx::runScript(*session, signals, options, sinks);
  }

  bool unloaded() {
    for (const auto& c : log.snapshot())
      if (c.rfind("resetScript", 0) == 0) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("script run: streams from the load on, unloads its script at the end, streams the rest") {
  RunFixture f;
  f.load();
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    f.output->output(0, "fire 1\n");
    f.output->error(0, "t.vp:1:2: runtime error: x (probe VMM1Hz, vcpu 0)");
  });
  vmx::RunResult r = f.run(300ms);
  writer.join();
  CHECK(r.end == RunEnd::Duration);
  CHECK(f.out == "load t.vp (vprobe VMM1Hz)\nfire 1\nresetScript 1\n");
  CHECK(f.errors == std::vector<std::string>{"t.vp:1:2: runtime error: x (probe VMM1Hz, vcpu 0)"});
  std::string error;
  CHECK(f.session->state(error) == vmx::ScriptState::Unloaded);
}

TEST_CASE("script run: a stop signal ends the run with the script unloaded") {
  RunFixture f;
  f.load();
  ::raise(SIGTERM);
  vmx::RunResult r = f.run(std::nullopt);
  CHECK(r.end == RunEnd::Signal);
  CHECK(r.signal == SIGTERM);
  CHECK(f.unloaded());
  CHECK(f.out.find("resetScript 1\n") != std::string::npos);
}

TEST_CASE("script run: a script that unloads itself ends the run; nothing else is unloaded") {
  RunFixture f;
  f.load();
  std::thread exiter([&] {
    std::this_thread::sleep_for(50ms);
    f.probes.scriptExited();
  });
  vmx::RunResult r = f.run(10s);
  exiter.join();
  CHECK(r.end == RunEnd::Unloaded);
  CHECK_FALSE(f.unloaded());
}

TEST_CASE("script run: another load ends the run and the other script stays loaded") {
  RunFixture f;
  f.load();
  std::thread other([&] {
    std::this_thread::sleep_for(50ms);
    vmx::Response<vmx::VprobeLoadRequest> reply;
    std::string error;
    vmx::sendRequest(f.vmx + ".sock", vmx::VprobeLoadRequest{.script = "theirs"}, reply, error);
  });
  vmx::RunResult r = f.run(10s);
  other.join();
  CHECK(r.end == RunEnd::Replaced);
  CHECK_FALSE(f.unloaded());
  CHECK(f.probes.loadedScript() == 2);
}

TEST_CASE("script run: a closed output ends the run and still unloads the script") {
  RunFixture f;
  f.load();
  vmx::RunResult r = f.run(10s, false);
  CHECK(r.end == RunEnd::OutputClosed);
  CHECK(f.unloaded());
}

TEST_CASE("script run: a VM that powers off ends the run") {
  RunFixture f;
  f.load();
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    f.server->stop();
    f.server.reset();  // removes the socket: nobody answers any more
  });
  vmx::RunResult r = f.run(10s);
  stopper.join();
  CHECK(r.end == RunEnd::VmStopped);
}

TEST_CASE("script run: a VM told to stop ends the run, though it unloads the script first") {
  RunFixture f;
  f.load();
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    vmx::Response<vmx::StopRequest> reply;
    std::string error;
    vmx::sendRequest(f.vmx + ".sock", vmx::StopRequest{}, reply, error);
  });
  vmx::RunResult r = f.run(10s);
  stopper.join();
  CHECK(r.end == RunEnd::VmStopped);
  CHECK_FALSE(f.unloaded());
}

TEST_CASE("script session: a VM that is not running, and a refused load") {
  vmxtest::TempDir dir;
  std::string vmxPath = dir.write("off.vmx", "");
  std::unique_ptr<vmx::ScriptSession> session;
  std::string error;
  CHECK(vmx::ScriptSession::connect(vmxPath, session, error) == vmx::SessionStatus::NotRunning);
  CHECK(error == "The virtual machine is not powered on: " + vmxPath);
  CHECK(vmx::ScriptSession::connect(dir.file("missing.vmx"), session, error) == vmx::SessionStatus::Failed);
  CHECK(error.rfind("Cannot open VM: " + dir.file("missing.vmx"), 0) == 0);

  RunFixture f;
  std::vector<std::string> diagnostics;
  CHECK(f.session->load("error", "bad.vp", diagnostics, error) == vmx::SessionStatus::Refused);
  CHECK(error == "The VP script has errors; it was not loaded");
  CHECK(diagnostics == std::vector<std::string>{"bad.vp:1:2: error: unknown identifier 'error'"});
  CHECK(f.probes.loadedScript() == 0);
}
