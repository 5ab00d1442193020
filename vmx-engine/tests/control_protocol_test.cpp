#include <catch2/catch.hpp>

#include "vmx-engine/control_protocol.h"

using nlohmann::json;
using vmx::MessageType;

namespace {

std::string decodeError(const std::string& line) {
  vmx::Request r;
  std::string error;
  CHECK_FALSE(vmx::decodeRequest(line, r, error));
  return error;
}

}  // namespace

TEST_CASE("protocol: every message type round-trips by name") {
  for (size_t i = 0; i < static_cast<size_t>(MessageType::Count); ++i) {
    auto type = static_cast<MessageType>(i);
    std::string line = vmx::encodeRequest(type);
    REQUIRE(line.back() == '\n');
    vmx::Request r;
    std::string error;
    REQUIRE(vmx::decodeRequest(line.substr(0, line.size() - 1), r, error));
    CHECK(r.type == type);
  }
  CHECK(vmx::messageTypeName(MessageType::VprobeListGlobals) == "vprobeListGlobals");
  CHECK(vmx::messageTypeName(MessageType::Count) == "unknown");
}

TEST_CASE("protocol: a request is one line whatever its script holds") {
  std::string script = "(vprobe VMM1Hz\n  (printf \"a\\nb\"))\n\x01";
  std::string line = vmx::encodeRequest(MessageType::VprobeLoad, {{"script", script}});
  CHECK(line.find('\n') == line.size() - 1);
  vmx::Request r;
  std::string error, got;
  REQUIRE(vmx::decodeRequest(line, r, error));
  REQUIRE(vmx::requestString(r, "script", got, error));
  CHECK(got == script);
}

TEST_CASE("protocol: invalid UTF-8 is replaced, not thrown") {
  std::string line = vmx::encodeRequest(MessageType::VprobeLoad, {{"script", "a\xff" "b"}});
  vmx::Request r;
  std::string error, got;
  REQUIRE(vmx::decodeRequest(line, r, error));
  REQUIRE(vmx::requestString(r, "script", got, error));
  CHECK(got == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("protocol: malformed requests are named") {
  CHECK(decodeError("") == "malformed request: not JSON");
  CHECK(decodeError("hello") == "malformed request: not JSON");
  CHECK(decodeError("{\"type\":\"status\"") == "malformed request: not JSON");
  CHECK(decodeError("\x80\x81\xfe") == "malformed request: not JSON");
  CHECK(decodeError("[1,2]") == "malformed request: expected a JSON object");
  CHECK(decodeError("\"status\"") == "malformed request: expected a JSON object");
  CHECK(decodeError("{}") == "malformed request: missing \"type\"");
  CHECK(decodeError("{\"type\":7}") == "malformed request: missing \"type\"");
  CHECK(decodeError("{\"type\":\"format\"}") == "unknown request type \"format\"");
  CHECK(decodeError("{\"type\":\"Status\"}") == "unknown request type \"Status\"");
}

TEST_CASE("protocol: deeply nested garbage is refused without harm") {
  std::string deep(100000, '[');
  CHECK(decodeError(deep) == "malformed request: not JSON");
  CHECK(decodeError(deep + std::string(100000, ']')) ==
        "malformed request: expected a JSON object");
}

TEST_CASE("protocol: request fields must have the right type") {
  vmx::Request r;
  std::string error, out;
  REQUIRE(vmx::decodeRequest("{\"type\":\"vprobeLoad\",\"script\":5}", r, error));
  CHECK_FALSE(vmx::requestString(r, "script", out, error));
  CHECK(error == "malformed request: \"script\" must be a string");
  CHECK_FALSE(vmx::requestString(r, "source", out, error));
  CHECK(error == "malformed request: \"source\" must be a string");
}

TEST_CASE("protocol: replies") {
  json ok = vmx::okReply({{"pid", 7}});
  CHECK(ok == json{{"ok", true}, {"pid", 7}});
  json bad = vmx::errorReply("nope", {"f:1:2: error: x"});
  CHECK(bad == json{{"ok", false}, {"error", "nope"}, {"diagnostics", {"f:1:2: error: x"}}});
  CHECK_FALSE(vmx::errorReply("nope").contains("diagnostics"));

  json back;
  std::string error;
  REQUIRE(vmx::decodeReply(vmx::encodeReply(bad), back, error));
  CHECK(back == bad);
  CHECK_FALSE(vmx::decodeReply("nonsense", back, error));
  CHECK(error == "malformed reply from the virtual machine");
  CHECK_FALSE(vmx::decodeReply("{\"pid\":1}", back, error));
  CHECK(error == "malformed reply from the virtual machine: no \"ok\"");
  CHECK_FALSE(vmx::decodeReply("{\"ok\":false}", back, error));
  CHECK(error == "malformed reply from the virtual machine: no \"error\"");
}
