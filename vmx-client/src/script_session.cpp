#include "vmx-client/script_session.h"

#include "vmx-client/control_client.h"

namespace vmx {

SessionStatus ScriptSession::connect(const std::string& vmx,
                                     std::unique_ptr<ScriptSession>& out,
                                     std::string& error) {
  std::string canonical;
  if (!canonicalPath(vmx, canonical, error)) {
    error = "Cannot open VM: " + vmx + ": " + error;
    return SessionStatus::Failed;
  }
  std::unique_ptr<ScriptSession> s(
      new ScriptSession(vmx, vmPathsFor(canonical, defaultRuntimeDir())));
  StatusReply reply;
  SessionStatus st = s->request(StatusRequest{}, reply, error);
  if (st != SessionStatus::Ok) return st;
  s->outPath_ = reply.vprobeOut;
  s->errPath_ = reply.vprobeErr;
  s->jsonPath_ = reply.vprobeJson;
  s->loadedAtConnect_ = reply.script;
  out = std::move(s);
  return SessionStatus::Ok;
}

template <class Req>
SessionStatus ScriptSession::request(const Req& request, typename Req::Reply& reply,
                                     std::string& error, std::vector<std::string>* diagnostics) {
  Response<Req> response;
  switch (sendRequest(paths_.socket, request, response, error)) {
    case SendStatus::NotRunning:
      error = "The virtual machine is not powered on: " + vmx_;
      return SessionStatus::NotRunning;
    case SendStatus::Failed:
      error = vmx_ + ": " + error;
      return SessionStatus::Failed;
    case SendStatus::Ok:
      break;
  }
  if (auto* ok = std::get_if<typename Req::Reply>(&response)) {
    reply = std::move(*ok);
    return SessionStatus::Ok;
  }
  auto& refusal = std::get<ErrorReply>(response);
  if (diagnostics) *diagnostics = std::move(refusal.diagnostics);
  error = std::move(refusal.error);
  return SessionStatus::Refused;
}

SessionStatus ScriptSession::engineVersion(std::string& version, bool& enabled,
                                           std::string& error) {
  VprobeVersionReply reply;
  SessionStatus st = request(VprobeVersionRequest{}, reply, error);
  if (st != SessionStatus::Ok) return st;
  version = reply.version;
  enabled = reply.enabled;
  return SessionStatus::Ok;
}

SessionStatus ScriptSession::listProbes(std::vector<std::string>& probes, std::string& error) {
  VprobeListProbesReply reply;
  SessionStatus st = request(VprobeListProbesRequest{}, reply, error);
  if (st == SessionStatus::Ok) probes = std::move(reply.probes);
  return st;
}

SessionStatus ScriptSession::load(const std::string& script, const std::string& sourceName,
                                  std::vector<std::string>& diagnostics, std::string& error,
                                  vp::OutputFormat format) {
  bool json = format == vp::OutputFormat::Json;
  // Followed from here: the load probes' output comes after these ends.
  out_ = std::make_unique<FileFollower>(FileFollower::fromEnd(json ? jsonPath_ : outPath_));
  err_ = std::make_unique<FileFollower>(FileFollower::fromEnd(errPath_));
  VprobeLoadReply reply;
  SessionStatus st =
      request(VprobeLoadRequest{script, sourceName, format}, reply, error, &diagnostics);
  if (st != SessionStatus::Ok) return st;
  diagnostics = std::move(reply.diagnostics);
  script_ = reply.script;
  if (script_ == 0) {
    error = vmx_ + ": the VM did not say which script it loaded";
    return SessionStatus::Failed;
  }
  return SessionStatus::Ok;
}

ScriptState ScriptSession::state(std::string& error) {
  StatusReply reply;
  switch (request(StatusRequest{}, reply, error)) {
    case SessionStatus::NotRunning: return ScriptState::VmStopped;
    case SessionStatus::Ok: break;
    // A VM that cannot answer a status now (it is stopping) is treated as
    // still running the script; the next poll will know.
    default: return ScriptState::Loaded;
  }
  // A VM told to stop unloads the script first: it is the stop that ended
  // the run, not the script.
  if (reply.state != "running") return ScriptState::VmStopped;
  if (reply.script == script_) return ScriptState::Loaded;
  return reply.script == 0 ? ScriptState::Unloaded : ScriptState::Replaced;
}

SessionStatus ScriptSession::unload(bool& unloaded, std::string& error) {
  VprobeResetReply reply;
  SessionStatus st = request(VprobeResetRequest{script_}, reply, error);
  unloaded = st == SessionStatus::Ok && reply.unloaded.value_or(false);
  return st;
}

bool ScriptSession::readOutput(std::string& out, std::string& err, std::string& error) {
  if (!out_ || !err_) return true;
  return out_->poll(out, error) && err_->poll(err, error);
}

}  // namespace vmx
