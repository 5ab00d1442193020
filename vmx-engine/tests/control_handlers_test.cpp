#include <catch2/catch.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "vmx-engine/src/control_handlers.h"
#include "vmx-client/tests/temp_dir.h"
#include "vmx-engine/tests/test_doubles.h"

using nlohmann::json;
using namespace vmx;

namespace {

// A control state over the test doubles and real output files.
struct Fixture {
  vmxtest::TempDir dir;
  vmxtest::CallLog log;
  vmxtest::RecordingProbeHost probes{log};
  vmxtest::ControlledMachine machine{log};
  std::unique_ptr<vmx::ProbeOutput> output;
  std::unique_ptr<vmx::ControlState> state;

  explicit Fixture(bool allowed = true, bool enabled = true, bool faults = false) {
    std::string error;
    output = vmx::ProbeOutput::open(dir.file("vprobe.out"), dir.file("vprobe.err"), {}, error);
    REQUIRE(output);
    vmx::VprobePolicy policy{allowed, "/etc/vprobes/config", enabled, "/vm/demo.vmx", faults, faults};
    state.reset(new vmx::ControlState{
        {machine, probes, *output, policy, "/vm/demo.vmx", "Demo"}});
  }

  // The reply to `line` (without its '\n'), as the client reads the wire.
  json send(const std::string& line) {
    std::string reply = vmx::handleLine(*state, line);
    REQUIRE(reply.find('\n') == reply.size() - 1);
    return json::parse(reply);
  }

  json request(const vmx::Request& request) {
    std::string line = vmx::encodeRequest(request);
    return send(line.substr(0, line.size() - 1));
  }
};

}  // namespace

TEST_CASE("handlers: status") {
  Fixture f;
  json r = f.request(StatusRequest{});
  CHECK(r == json{{"ok", true}, {"vmx", "/vm/demo.vmx"}, {"displayName", "Demo"},
                  {"pid", ::getpid()}, {"state", "running"},
                  {"vprobeOut", f.dir.file("vprobe.out")}, {"vprobeErr", f.dir.file("vprobe.err")},
                  {"vprobeJson", f.dir.file("vprobe.json")}, {"script", 0}});
}

TEST_CASE("handlers: a load goes to the probe host with its source name") {
  Fixture f;
  json r = f.request(VprobeLoadRequest{.script = "(vprobe VMM1Hz)", .source = "t.vp"});
  CHECK(r == json{{"ok", true}, {"diagnostics", json::array()}, {"script", 1}});
  CHECK(f.log.snapshot() == std::vector<std::string>{"load t.vp (vprobe VMM1Hz)"});
  f.request(VprobeLoadRequest{.script = "x"});
  CHECK(f.log.snapshot().back() == "load <command line> x");
}

TEST_CASE("handlers: a JSON load creates vprobe.json and tells the host; other formats are refused") {
  Fixture f;
  CHECK(access(f.dir.file("vprobe.json").c_str(), F_OK) != 0);  // not before a JSON load
  json r = f.request(
      VprobeLoadRequest{.script = "x", .source = "t.vp", .format = vp::OutputFormat::Json});
  CHECK(r["ok"] == true);
  CHECK(f.log.snapshot().back() == "load t.vp (json) x");
  CHECK(access(f.dir.file("vprobe.json").c_str(), F_OK) == 0);
  f.send(R"({"type":"vprobeLoad","script":"y","format":"text"})");
  CHECK(f.log.snapshot().back() == "load <command line> y");
  r = f.send(R"({"type":"vprobeLoad","script":"z","format":"xml"})");
  CHECK(r == json{{"ok", false},
                  {"error", "malformed request: \"format\" must be \"text\" or \"json\""}});
  CHECK(f.log.snapshot().back() == "load <command line> y");  // z never reached the host
}

TEST_CASE("handlers: warnings come back with a successful load") {
  Fixture f;
  json r = f.request(VprobeLoadRequest{.script = "warn"});
  CHECK(r["ok"] == true);
  CHECK(r["diagnostics"] == json{"<command line>:1:1: warning: version 1.9 is newer"});
}

TEST_CASE("handlers: compile errors come back as the engine rendered them") {
  Fixture f;
  json r = f.request(VprobeLoadRequest{.script = "error", .source = "bad.vp"});
  CHECK(r == json{{"ok", false},
                  {"error", "The VP script has errors; it was not loaded"},
                  {"diagnostics", {"bad.vp:1:2: error: unknown identifier 'error'"}}});
}

TEST_CASE("handlers: loads are refused unless allowed and enabled") {
  Fixture notAllowed(false, true);
  json r = notAllowed.request(VprobeLoadRequest{.script = "x"});
  CHECK(r["ok"] == false);
  CHECK(r["error"] ==
        "VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" to "
        "/etc/vprobes/config and restart the virtual machine");
  CHECK(notAllowed.log.snapshot().empty());

  Fixture notEnabled(true, false);
  r = notEnabled.request(VprobeLoadRequest{.script = "x"});
  CHECK(r["error"] ==
        "VProbes are not enabled for this virtual machine: add vprobe.enable = \"TRUE\" to "
        "/vm/demo.vmx and restart the virtual machine");
  CHECK(notEnabled.log.snapshot().empty());
}

TEST_CASE("handlers: a load without a script string is refused") {
  Fixture f;
  CHECK(f.send(R"({"type":"vprobeLoad"})")["error"] == "malformed request: missing \"script\"");
  CHECK(f.send(R"({"type":"vprobeLoad","script":7})")["error"] ==
        "malformed request: \"script\" must be a string");
  CHECK(f.send(R"({"type":"vprobeLoad","script":"x","source":3})")["error"] ==
        "malformed request: \"source\" must be a string");
  CHECK(f.log.snapshot().empty());
}

TEST_CASE("handlers: reset, lists and version") {
  Fixture f;
  CHECK(f.request(VprobeResetRequest{}) == json{{"ok", true}});
  CHECK(f.log.snapshot() == std::vector<std::string>{"reset"});
  CHECK(f.request(VprobeListProbesRequest{})["probes"] == json{"VMM1Hz", "VMXLoad"});
  CHECK(f.request(VprobeListGlobalsRequest{})["globals"] == json{"RAX", "myCount"});
  CHECK(f.request(VprobeVersionRequest{}) ==
        json{{"ok", true}, {"version", "1.0"}, {"enabled", true}, {"faultInjection", false}});
  Fixture off(true, false);
  CHECK(off.request(VprobeVersionRequest{})["enabled"] == false);
  Fixture notAllowed(false, true);
  CHECK(notAllowed.request(VprobeVersionRequest{})["enabled"] == false);
}

TEST_CASE("handlers: version and the globals list say when fault injection is on") {
  Fixture faults(true, true, true);
  CHECK(faults.request(VprobeVersionRequest{})["faultInjection"] == true);
  json globals = faults.request(VprobeListGlobalsRequest{})["globals"];
  CHECK(globals == json{"RAX", "myCount", "setgpr function (fault injection)",
                        "setguest function (fault injection)",
                        "skipfunction function (fault injection)",
                        "genmce function (fault injection)"});
  // Not while scripts may not load at all.
  Fixture off(true, false, true);
  CHECK(off.request(VprobeVersionRequest{})["faultInjection"] == false);
  CHECK(off.request(VprobeListGlobalsRequest{})["globals"] == json{"RAX", "myCount"});
}

TEST_CASE("handlers: status names the loaded script; a reset of one script spares the next") {
  Fixture f;
  CHECK(f.request(VprobeLoadRequest{.script = "a"})["script"] == 1);
  CHECK(f.request(StatusRequest{})["script"] == 1);
  // Someone else's load replaces script 1: resetting 1 must not unload 2.
  CHECK(f.request(VprobeLoadRequest{.script = "b"})["script"] == 2);
  CHECK(f.request(VprobeResetRequest{1}) == json{{"ok", true}, {"unloaded", false}});
  CHECK(f.request(StatusRequest{})["script"] == 2);
  CHECK(f.request(VprobeResetRequest{2}) == json{{"ok", true}, {"unloaded", true}});
  CHECK(f.request(StatusRequest{})["script"] == 0);
  CHECK(f.log.snapshot().back() == "resetScript 2");
  // A script that called (exit) is gone: nothing to unload.
  CHECK(f.request(VprobeLoadRequest{.script = "c"})["script"] == 3);
  f.probes.scriptExited();
  CHECK(f.request(StatusRequest{})["script"] == 0);
  CHECK(f.request(VprobeResetRequest{3})["unloaded"] == false);
  CHECK(f.send(R"({"type":"vprobeReset","script":"3"})")["error"] ==
        "malformed request: \"script\" must be a number (an unsigned integer)");
}

TEST_CASE("handlers: held output is flushed before replying to a load, a reset or a status") {
  Fixture f;
  std::vector<std::string> flushes;
  f.state->targets.flushOutput = [&] { flushes.push_back(f.log.snapshot().back()); };
  f.request(VprobeLoadRequest{.script = "a"});
  f.request(VprobeResetRequest{1});
  f.request(VprobeLoadRequest{.script = "b"});
  f.request(VprobeResetRequest{});
  f.request(StatusRequest{});
  // Each flush comes after the probe host did its part.
  CHECK(flushes == std::vector<std::string>{"load <command line> a", "resetScript 1",
                                            "load <command line> b", "reset", "reset"});
  f.request(VprobeListProbesRequest{});
  CHECK(flushes.size() == 5);
}

TEST_CASE("handlers: stop unloads the script before stopping the machine") {
  Fixture f;
  json r = f.request(StopRequest{});
  CHECK(r == json{{"ok", true}, {"pid", ::getpid()}});
  CHECK(f.log.snapshot() == std::vector<std::string>{"reset", "requestStop"});
  CHECK(f.request(StatusRequest{})["state"] == "stopping");
  // A second stop does not unload again; other requests are refused.
  CHECK(f.request(StopRequest{})["ok"] == true);
  CHECK(f.log.snapshot().size() == 2);
  CHECK(f.request(VprobeLoadRequest{.script = "x"})["error"] ==
        "The virtual machine is stopping");
  CHECK(f.log.snapshot().size() == 2);
}

TEST_CASE("handlers: garbage and a failing handler get error replies") {
  Fixture f;
  CHECK(f.send("\x01\x02garbage") == json{{"ok", false}, {"error", "malformed request: not JSON"}});
  json r = f.request(VprobeLoadRequest{.script = "throw"});
  CHECK(r == json{{"ok", false}, {"error", "internal error: boom"}});
  CHECK(f.request(StatusRequest{})["ok"] == true);
}

TEST_CASE("handlers: a load recreates a deleted vprobe.out") {
  Fixture f;
  f.output->output(0, "before\n");
  REQUIRE(::unlink(f.dir.file("vprobe.out").c_str()) == 0);
  REQUIRE(f.request(VprobeLoadRequest{.script = "x"})["ok"] == true);
  f.output->output(0, "after\n");
  CHECK(vmxtest::readAll(f.dir.file("vprobe.out")) == "after\n");
}

TEST_CASE("handlers: vprobeStats relays the machine's exit rows, in order") {
  Fixture f;
  CHECK(f.request(VprobeStatsRequest{}) ==
        json{{"ok", true},
             {"stats", json::array({json::array({"monitor.exits", 0}),
                                    json::array({"kvm.exits", 7})})}});
  // Statistics are not probes: a host that forbids VProbes still gives them.
  Fixture off(false);
  CHECK(off.request(VprobeStatsRequest{})["ok"] == true);
}

TEST_CASE("handlers: vprobeStats ends with the output lines lost and unwritten, after a flush") {
  Fixture f;
  int flushes = 0;
  f.state->targets.flushOutput = [&] { ++flushes; };
  f.state->targets.lostOutputLines = [&] { return uint64_t(flushes) * 1000; };
  json stats = f.request(VprobeStatsRequest{})["stats"];
  REQUIRE(stats.size() == 4);
  CHECK(stats[2] == json::array({"output.lost_lines", 1000}));
  CHECK(stats[3] == json::array({"output.unwritten_lines", 0}));
}
