#include "vmx-engine/src/control_handlers.h"

#include <unistd.h>

#include <exception>
#include <iterator>

#include "vmx-engine/vmx_log.h"

namespace vmx {
namespace {

using Handler = nlohmann::json (*)(ControlState&, const Request&);

void flushOutput(ControlState& s) {
  if (s.targets.flushOutput) s.targets.flushOutput();
}

// Script changes are logged with the VM's exit counts so far (machine.h).
void logWithExits(ControlState& s, const std::string& what) {
  logLine(what + "; " + s.targets.machine.exitSummary());
}

nlohmann::json handleStatus(ControlState& s, const Request&) {
  // Read before the flush: a script reported gone (it called exit()) has
  // all its output in the files by the time the reply says so.
  uint64_t script = s.targets.probes.loadedScript();
  flushOutput(s);
  return okReply({{"vmx", s.targets.vmxPath},
                  {"displayName", s.targets.displayName},
                  {"pid", ::getpid()},
                  {"state", machineStateName(s.targets.machine.state())},
                  {"vprobeOut", s.targets.output.outPath()},
                  {"vprobeErr", s.targets.output.errPath()},
                  {"vprobeJson", s.targets.output.jsonPath()},
                  {"script", script}});
}

nlohmann::json handleStop(ControlState& s, const Request&) {
  if (!s.stopping) {
    logLine("stop requested");
    stopVm(s);
  }
  return okReply({{"pid", ::getpid()}});
}

// The optional "format" of a load: "text" (the default) or "json".
bool loadFormat(const Request& request, vp::OutputFormat& format, std::string& error) {
  format = vp::OutputFormat::Text;
  std::string name;
  if (!request.body.contains("format")) return true;
  if (!requestString(request, "format", name, error)) return false;
  if (vp::parseOutputFormat(name, format)) return true;
  error = "unknown output format '" + name + "': expected \"text\" or \"json\"";
  return false;
}

nlohmann::json handleLoad(ControlState& s, const Request& request) {
  std::string script, source = "<command line>", error;
  vp::OutputFormat format;
  if (!requestString(request, "script", script, error)) return errorReply(error);
  if (request.body.contains("source") &&
      !requestString(request, "source", source, error)) {
    return errorReply(error);
  }
  if (!loadFormat(request, format, error)) return errorReply(error);
  if (!s.targets.policy.mayLoad(error)) return errorReply(error);
  if (!s.targets.output.reopenIfDeleted(error)) return errorReply(error);
  if (format == vp::OutputFormat::Json && !s.targets.output.openJson(error)) {
    return errorReply(error);
  }
  LoadResult result = s.targets.probes.load(script, source, format);
  flushOutput(s);
  logWithExits(s, "script " + source + (result.ok ? " loaded" : " refused"));
  if (!result.ok) {
    return errorReply("The VP script has errors; it was not loaded",
                      result.diagnostics);
  }
  return okReply({{"diagnostics", result.diagnostics}, {"script", result.script}});
}

// With a "script" id, only that script is unloaded: a client ending its
// own run must not unload a script someone else loaded since.
nlohmann::json handleReset(ControlState& s, const Request& request) {
  auto only = request.body.find("script");
  if (only == request.body.end()) {
    s.targets.probes.reset();
    flushOutput(s);
    logWithExits(s, "script unloaded (vprobeReset)");
    return okReply();
  }
  if (!only->is_number_unsigned()) {
    return errorReply("malformed request: \"script\" must be a script id (a number)");
  }
  uint64_t script = only->get<uint64_t>();
  bool unloaded = s.targets.probes.resetScript(script);
  flushOutput(s);
  if (unloaded) logWithExits(s, "script " + std::to_string(script) + " unloaded (vprobeReset)");
  return okReply({{"unloaded", unloaded}});
}

nlohmann::json handleListProbes(ControlState& s, const Request&) {
  return okReply({{"probes", s.targets.probes.listProbes()}});
}

nlohmann::json handleListGlobals(ControlState& s, const Request&) {
  std::vector<std::string> names = s.targets.probes.listGlobals();
  // The destructive built-ins are listed only where scripts may call them.
  std::string why;
  if (s.targets.policy.mayLoad(why) && s.targets.policy.faultInjectionOff().empty())
    for (const char* fn : {"setgpr", "setguest", "skipfunction", "genmce"})
      names.push_back(std::string(fn) + " function (fault injection)");
  return okReply({{"globals", names}});
}

nlohmann::json handleVersion(ControlState& s, const Request&) {
  std::string why;
  bool enabled = s.targets.policy.mayLoad(why);
  return okReply({{"version", s.targets.probes.version()},
                  {"enabled", enabled},
                  {"faultInjection", enabled && s.targets.policy.faultInjectionOff().empty()}});
}

// Rows as [name, value] pairs, in the machine's order, then the probe
// output lines lost so far: to full buffers, and to files that refused
// writes (a full file system).
nlohmann::json handleStats(ControlState& s, const Request&) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [name, value] : s.targets.machine.exitStatistics())
    rows.push_back(nlohmann::json::array({name, value}));
  if (s.targets.lostOutputLines) {
    flushOutput(s);  // drops are counted as the flusher finds them
    rows.push_back(nlohmann::json::array({"output.lost_lines", s.targets.lostOutputLines()}));
    rows.push_back(
        nlohmann::json::array({"output.unwritten_lines", s.targets.output.unwrittenLines()}));
  }
  return okReply({{"stats", rows}});
}

// Indexed by MessageType.
constexpr Handler kHandlers[] = {
    handleStatus,     handleStop,        handleLoad,    handleReset,
    handleListProbes, handleListGlobals, handleVersion, handleStats,
};
static_assert(std::size(kHandlers) == static_cast<size_t>(MessageType::Count));

bool allowedWhileStopping(MessageType type) {
  return type == MessageType::Status || type == MessageType::Stop;
}

}  // namespace

void stopVm(ControlState& state) {
  state.stopping = true;
  state.targets.probes.reset();
  state.targets.machine.requestStop();
}

nlohmann::json handleRequest(ControlState& state, const Request& request) {
  if (state.stopping && !allowedWhileStopping(request.type)) {
    return errorReply("The virtual machine is stopping");
  }
  return kHandlers[static_cast<size_t>(request.type)](state, request);
}

std::string handleLine(ControlState& state, std::string_view line) {
  Request request;
  std::string error;
  if (!decodeRequest(line, request, error)) return encodeReply(errorReply(error));
  try {
    return encodeReply(handleRequest(state, request));
  } catch (const std::exception& e) {
    logLine(std::string("internal error in ") +
            std::string(messageTypeName(request.type)) + ": " + e.what());
    return encodeReply(errorReply(std::string("internal error: ") + e.what()));
  }
}

}  // namespace vmx
