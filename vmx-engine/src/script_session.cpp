#include "vmx-engine/script_session.h"

#include "vmx-engine/control_client.h"

namespace vmx {
namespace {

// The string array reply[field] (absent or malformed: empty).
std::vector<std::string> stringsOf(const nlohmann::json& reply, const char* field) {
  std::vector<std::string> out;
  auto it = reply.find(field);
  if (it == reply.end() || !it->is_array()) return out;
  for (const auto& s : *it)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

uint64_t scriptIdOf(const nlohmann::json& reply) {
  auto it = reply.find("script");
  return it != reply.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

}  // namespace

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
  nlohmann::json reply;
  SessionStatus st = s->request(MessageType::Status, nlohmann::json::object(), reply, error);
  if (st != SessionStatus::Ok) return st;
  auto outIt = reply.find("vprobeOut");
  auto errIt = reply.find("vprobeErr");
  if (outIt == reply.end() || !outIt->is_string() || errIt == reply.end() || !errIt->is_string()) {
    error = vmx + ": the VM process does not say where its probe output goes (an older vmx?)";
    return SessionStatus::Failed;
  }
  s->outPath_ = outIt->get<std::string>();
  s->errPath_ = errIt->get<std::string>();
  s->jsonPath_ = reply.value("vprobeJson", std::string());
  s->loadedAtConnect_ = scriptIdOf(reply);
  out = std::move(s);
  return SessionStatus::Ok;
}

SessionStatus ScriptSession::request(MessageType type, const nlohmann::json& fields,
                                     nlohmann::json& reply, std::string& error,
                                     std::vector<std::string>* diagnostics) {
  switch (sendRequest(paths_.socket, type, fields, reply, error)) {
    case SendStatus::NotRunning:
      error = "The virtual machine is not powered on: " + vmx_;
      return SessionStatus::NotRunning;
    case SendStatus::Failed:
      error = vmx_ + ": " + error;
      return SessionStatus::Failed;
    case SendStatus::Ok:
      break;
  }
  if (diagnostics) *diagnostics = stringsOf(reply, "diagnostics");
  // decodeReply checked that "ok" is a bool and, when false, "error" a string.
  if (reply.at("ok").get<bool>()) return SessionStatus::Ok;
  error = reply.at("error").get<std::string>();
  return SessionStatus::Refused;
}

SessionStatus ScriptSession::engineVersion(std::string& version, bool& enabled,
                                           std::string& error) {
  nlohmann::json reply;
  SessionStatus st = request(MessageType::VprobeVersion, nlohmann::json::object(), reply, error);
  if (st != SessionStatus::Ok) return st;
  version = reply.value("version", std::string());
  enabled = reply.value("enabled", false);
  return SessionStatus::Ok;
}

SessionStatus ScriptSession::listProbes(std::vector<std::string>& probes, std::string& error) {
  nlohmann::json reply;
  SessionStatus st = request(MessageType::VprobeListProbes, nlohmann::json::object(), reply, error);
  if (st == SessionStatus::Ok) probes = stringsOf(reply, "probes");
  return st;
}

SessionStatus ScriptSession::load(const std::string& script, const std::string& sourceName,
                                  std::vector<std::string>& diagnostics, std::string& error,
                                  vp::OutputFormat format) {
  bool json = format == vp::OutputFormat::Json;
  if (json && jsonPath_.empty()) {
    error = vmx_ + ": the VM process cannot print JSON output (an older vmx?)";
    return SessionStatus::Failed;
  }
  // Followed from here: the load probes' output comes after these ends.
  out_ = std::make_unique<FileFollower>(FileFollower::fromEnd(json ? jsonPath_ : outPath_));
  err_ = std::make_unique<FileFollower>(FileFollower::fromEnd(errPath_));
  nlohmann::json fields = {{"script", script}, {"source", sourceName}};
  if (json) fields["format"] = vp::outputFormatName(format);
  nlohmann::json reply;
  SessionStatus st = request(MessageType::VprobeLoad, fields, reply, error, &diagnostics);
  if (st != SessionStatus::Ok) return st;
  script_ = scriptIdOf(reply);
  if (script_ == 0) {
    error = vmx_ + ": the VM did not say which script it loaded";
    return SessionStatus::Failed;
  }
  return SessionStatus::Ok;
}

ScriptState ScriptSession::state(std::string& error) {
  nlohmann::json reply;
  switch (request(MessageType::Status, nlohmann::json::object(), reply, error)) {
    case SessionStatus::NotRunning: return ScriptState::VmStopped;
    case SessionStatus::Ok: break;
    // A VM that cannot answer a status now (it is stopping) is treated as
    // still running the script; the next poll will know.
    default: return ScriptState::Loaded;
  }
  // A VM told to stop unloads the script first: it is the stop that ended
  // the run, not the script.
  if (reply.value("state", std::string("running")) != "running") return ScriptState::VmStopped;
  uint64_t loaded = scriptIdOf(reply);
  if (loaded == script_) return ScriptState::Loaded;
  return loaded == 0 ? ScriptState::Unloaded : ScriptState::Replaced;
}

SessionStatus ScriptSession::unload(bool& unloaded, std::string& error) {
  unloaded = false;
  nlohmann::json reply;
  SessionStatus st = request(MessageType::VprobeReset, {{"script", script_}}, reply, error);
  if (st == SessionStatus::Ok) unloaded = reply.value("unloaded", false);
  return st;
}

bool ScriptSession::readOutput(std::string& out, std::string& err, std::string& error) {
  if (!out_ || !err_) return true;
  return out_->poll(out, error) && err_->poll(err, error);
}

}  // namespace vmx
