#include "vmx-engine/control_protocol.h"

#include <array>

namespace vmx {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(MessageType::Count)>
    kTypeNames = {"status",           "stop",
                  "vprobeLoad",       "vprobeReset",
                  "vprobeListProbes", "vprobeListGlobals",
                  "vprobeVersion",    "vprobeStats"};

// Replies and requests are one line each: dump() escapes newlines inside
// strings, and replacing invalid UTF-8 keeps a hostile script's bytes from
// making the encoder throw.
std::string toLine(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace

std::string_view messageTypeName(MessageType type) {
  size_t index = static_cast<size_t>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : "unknown";
}

bool parseMessageType(std::string_view name, MessageType& out) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) {
      out = static_cast<MessageType>(i);
      return true;
    }
  }
  return false;
}

std::string encodeRequest(MessageType type, nlohmann::json fields) {
  fields["type"] = std::string(messageTypeName(type));
  return toLine(fields);
}

bool decodeRequest(std::string_view line, Request& out, std::string& error) {
  nlohmann::json body = nlohmann::json::parse(line, nullptr, false);
  if (body.is_discarded()) {
    error = "malformed request: not JSON";
    return false;
  }
  if (!body.is_object()) {
    error = "malformed request: expected a JSON object";
    return false;
  }
  auto type = body.find("type");
  if (type == body.end() || !type->is_string()) {
    error = "malformed request: missing \"type\"";
    return false;
  }
  if (!parseMessageType(type->get_ref<const std::string&>(), out.type)) {
    error = "unknown request type \"" + type->get<std::string>() + "\"";
    return false;
  }
  out.body = std::move(body);
  return true;
}

bool requestString(const Request& request, const char* field, std::string& out,
                   std::string& error) {
  auto it = request.body.find(field);
  if (it == request.body.end() || !it->is_string()) {
    error = std::string("malformed request: \"") + field +
            "\" must be a string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

nlohmann::json okReply(nlohmann::json fields) {
  fields["ok"] = true;
  return fields;
}

nlohmann::json errorReply(std::string_view error,
                          const std::vector<std::string>& diagnostics) {
  nlohmann::json reply = {{"ok", false}, {"error", std::string(error)}};
  if (!diagnostics.empty()) reply["diagnostics"] = diagnostics;
  return reply;
}

std::string encodeReply(const nlohmann::json& reply) { return toLine(reply); }

bool decodeReply(std::string_view line, nlohmann::json& out,
                 std::string& error) {
  out = nlohmann::json::parse(line, nullptr, false);
  if (out.is_discarded() || !out.is_object()) {
    error = "malformed reply from the virtual machine";
    return false;
  }
  auto ok = out.find("ok");
  if (ok == out.end() || !ok->is_boolean()) {
    error = "malformed reply from the virtual machine: no \"ok\"";
    return false;
  }
  auto err = out.find("error");
  if (!ok->get<bool>() && (err == out.end() || !err->is_string())) {
    error = "malformed reply from the virtual machine: no \"error\"";
    return false;
  }
  return true;
}

}  // namespace vmx
