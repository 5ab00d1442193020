#include "vmx-engine/src/control_handlers.h"

#include <unistd.h>

#include <exception>
#include <variant>

#include "vmx-engine/vmx_log.h"

namespace vmx {
namespace {

void flushOutput(ControlState& s) {
  if (s.targets.flushOutput) s.targets.flushOutput();
}

// Script changes are logged with the VM's exit counts so far (machine.h).
void logWithExits(ControlState& s, const std::string& what) {
  logLine(what + "; " + s.targets.machine.exitSummary());
}

Reply handle(ControlState& s, const StatusRequest&) {
  // Read before the flush: a script reported gone (it called exit()) has
  // all its output in the files by the time the reply says so.
  uint64_t script = s.targets.probes.loadedScript();
  flushOutput(s);
  return StatusReply{.vmx = s.targets.vmxPath,
                     .displayName = s.targets.displayName,
                     .pid = ::getpid(),
                     .state = std::string(machineStateName(s.targets.machine.state())),
                     .vprobeOut = s.targets.output.outPath(),
                     .vprobeErr = s.targets.output.errPath(),
                     .vprobeJson = s.targets.output.jsonPath(),
                     .script = script};
}

Reply handle(ControlState& s, const StopRequest&) {
  if (!s.stopping) {
    logLine("stop requested");
    stopVm(s);
  }
  return StopReply{::getpid()};
}

Reply handle(ControlState& s, const VprobeLoadRequest& request) {
  std::string error;
  if (!s.targets.policy.mayLoad(error)) return ErrorReply{error};
  if (!s.targets.output.reopenIfDeleted(error)) return ErrorReply{error};
  if (request.format == vp::OutputFormat::Json && !s.targets.output.openJson(error)) {
    return ErrorReply{error};
  }
  LoadResult result = s.targets.probes.load(request.script, request.source, request.format);
  flushOutput(s);
  logWithExits(s, "script " + request.source + (result.ok ? " loaded" : " refused"));
  if (!result.ok) {
    return ErrorReply{"The VP script has errors; it was not loaded", result.diagnostics};
  }
  return VprobeLoadReply{result.diagnostics, result.script};
}

// With a script id, only that script is unloaded: a client ending its
// own run must not unload a script someone else loaded since.
Reply handle(ControlState& s, const VprobeResetRequest& request) {
  if (!request.script) {
    s.targets.probes.reset();
    flushOutput(s);
    logWithExits(s, "script unloaded (vprobeReset)");
    return VprobeResetReply{};
  }
  uint64_t script = *request.script;
  bool unloaded = s.targets.probes.resetScript(script);
  flushOutput(s);
  if (unloaded) logWithExits(s, "script " + std::to_string(script) + " unloaded (vprobeReset)");
  return VprobeResetReply{unloaded};
}

Reply handle(ControlState& s, const VprobeListProbesRequest&) {
  return VprobeListProbesReply{s.targets.probes.listProbes()};
}

Reply handle(ControlState& s, const VprobeListGlobalsRequest&) {
  std::vector<std::string> names = s.targets.probes.listGlobals();
  // The destructive built-ins are listed only where scripts may call them.
  std::string why;
  if (s.targets.policy.mayLoad(why) && s.targets.policy.faultInjectionOff().empty())
    for (const char* fn : {"setgpr", "setguest", "skipfunction", "genmce"})
      names.push_back(std::string(fn) + " function (fault injection)");
  return VprobeListGlobalsReply{names};
}

Reply handle(ControlState& s, const VprobeVersionRequest&) {
  std::string why;
  bool enabled = s.targets.policy.mayLoad(why);
  return VprobeVersionReply{s.targets.probes.version(), enabled,
                            enabled && s.targets.policy.faultInjectionOff().empty()};
}

// The machine's rows, in its order, then the probe output lines lost so
// far: to full buffers, and to files that refused writes (a full file
// system).
Reply handle(ControlState& s, const VprobeStatsRequest&) {
  VprobeStatsReply reply;
  for (const auto& [name, value] : s.targets.machine.exitStatistics())
    reply.stats.push_back({name, value});
  if (s.targets.lostOutputLines) {
    flushOutput(s);  // drops are counted as the flusher finds them
    reply.stats.push_back({"output.lost_lines", s.targets.lostOutputLines()});
    reply.stats.push_back({"output.unwritten_lines", s.targets.output.unwrittenLines()});
  }
  return reply;
}

bool allowedWhileStopping(const Request& request) {
  return std::holds_alternative<StatusRequest>(request) ||
         std::holds_alternative<StopRequest>(request);
}

}  // namespace

void stopVm(ControlState& state) {
  state.stopping = true;
  state.targets.probes.reset();
  state.targets.machine.requestStop();
}

Reply handleRequest(ControlState& state, const Request& request) {
  if (state.stopping && !allowedWhileStopping(request)) {
    return ErrorReply{"The virtual machine is stopping"};
  }
  return std::visit([&](const auto& r) { return handle(state, r); }, request);
}

std::string handleLine(ControlState& state, std::string_view line) {
  Request request;
  std::string error;
  if (!decodeRequest(line, request, error)) return encodeReply(ErrorReply{error});
  try {
    return encodeReply(handleRequest(state, request));
  } catch (const std::exception& e) {
    logLine(std::string("internal error in ") +
            std::string(requestTypeName(request)) + ": " + e.what());
    return encodeReply(ErrorReply{std::string("internal error: ") + e.what()});
  }
}

}  // namespace vmx
