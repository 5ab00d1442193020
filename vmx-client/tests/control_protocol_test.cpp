#include <catch2/catch.hpp>

#include "vmx-client/control_protocol.h"

using namespace vmx;

namespace {

// The line without its '\n'.
std::string bare(std::string line) {
  REQUIRE(line.size() > 0);
  REQUIRE(line.back() == '\n');
  line.pop_back();
  return line;
}

Request decoded(const std::string& line) {
  Request r;
  std::string error;
  INFO(line);
  REQUIRE(decodeRequest(line, r, error));
  return r;
}

std::string decodeError(const std::string& line) {
  Request r;
  std::string error;
  CHECK_FALSE(decodeRequest(line, r, error));
  return error;
}

template <class Req>
Response<Req> decodedReply(const std::string& line) {
  Response<Req> r;
  std::string error;
  INFO(line);
  REQUIRE(decodeReply<Req>(line, r, error));
  return r;
}

template <class Req>
std::string replyError(const std::string& line) {
  Response<Req> r;
  std::string error;
  CHECK_FALSE(decodeReply<Req>(line, r, error));
  return error;
}

// Encodes an ok reply and decodes it as the answer to Req.
template <class Req>
void checkReplyRoundTrip(const typename Req::Reply& reply) {
  Response<Req> back = decodedReply<Req>(bare(encodeReply(reply)));
  REQUIRE(std::holds_alternative<typename Req::Reply>(back));
  CHECK(std::get<typename Req::Reply>(back) == reply);
}

}  // namespace

TEST_CASE("protocol: every request survives encoding and decoding") {
  std::vector<Request> requests = {
      StatusRequest{},
      StopRequest{},
      VprobeLoadRequest{.script = "(vprobe VMM1Hz)"},
      VprobeLoadRequest{"(vprobe VMM1Hz)", "t.vp", vp::OutputFormat::Json},
      VprobeResetRequest{},
      VprobeResetRequest{3},
      VprobeResetRequest{0},
      VprobeListProbesRequest{},
      VprobeListGlobalsRequest{},
      VprobeVersionRequest{},
      VprobeStatsRequest{},
  };
  for (const Request& r : requests) {
    std::string line = bare(encodeRequest(r));
    CHECK(decoded(line) == r);
  }
}

TEST_CASE("protocol: every reply survives encoding and decoding") {
  checkReplyRoundTrip<StatusRequest>(
      {"/vm/demo.vmx", "Demo", 4242, "running", "/vm/vprobe.out", "/vm/vprobe.err",
       "/vm/vprobe.json", 7});
  checkReplyRoundTrip<StopRequest>({4242});
  checkReplyRoundTrip<VprobeLoadRequest>({{"t.vp:1:2: warning: w"}, 9});
  checkReplyRoundTrip<VprobeLoadRequest>({{}, 1});
  checkReplyRoundTrip<VprobeResetRequest>({});
  checkReplyRoundTrip<VprobeResetRequest>({true});
  checkReplyRoundTrip<VprobeResetRequest>({false});
  checkReplyRoundTrip<VprobeListProbesRequest>({{"VMM1Hz", "VMXLoad"}});
  checkReplyRoundTrip<VprobeListGlobalsRequest>({{}});
  checkReplyRoundTrip<VprobeVersionRequest>({"1.2", true, false});
  checkReplyRoundTrip<VprobeStatsRequest>({{{"monitor.exits", 0}, {"kvm.exits", UINT64_MAX}}});

  ErrorReply refusal{"The VP script has errors; it was not loaded", {"t.vp:1:2: error: x"}};
  auto back = decodedReply<VprobeLoadRequest>(bare(encodeReply(refusal)));
  REQUIRE(std::holds_alternative<ErrorReply>(back));
  CHECK(std::get<ErrorReply>(back) == refusal);
}

TEST_CASE("protocol: requests are written as the protocol documents them") {
  CHECK(encodeRequest(StatusRequest{}) == "{\"type\":\"status\"}\n");
  // Optional fields at their defaults are left out.
  CHECK(encodeRequest(VprobeLoadRequest{.script = "x"}) ==
        "{\"script\":\"x\",\"type\":\"vprobeLoad\"}\n");
  CHECK(encodeRequest(VprobeLoadRequest{"x", "t.vp", vp::OutputFormat::Json}) ==
        "{\"format\":\"json\",\"script\":\"x\",\"source\":\"t.vp\",\"type\":\"vprobeLoad\"}\n");
  CHECK(encodeRequest(VprobeResetRequest{}) == "{\"type\":\"vprobeReset\"}\n");
  CHECK(encodeRequest(VprobeResetRequest{3}) == "{\"script\":3,\"type\":\"vprobeReset\"}\n");
}

TEST_CASE("protocol: replies are written as the protocol documents them") {
  CHECK(encodeReply(VprobeResetReply{}) == "{\"ok\":true}\n");
  CHECK(encodeReply(VprobeResetReply{false}) == "{\"ok\":true,\"unloaded\":false}\n");
  CHECK(encodeReply(VprobeLoadReply{{}, 2}) == "{\"diagnostics\":[],\"ok\":true,\"script\":2}\n");
  CHECK(encodeReply(VprobeStatsReply{{{"kvm.exits", 7}}}) ==
        "{\"ok\":true,\"stats\":[[\"kvm.exits\",7]]}\n");
  CHECK(encodeReply(ErrorReply{"nope"}) == "{\"error\":\"nope\",\"ok\":false}\n");
  CHECK(encodeReply(ErrorReply{"nope", {"f:1:2: error: x"}}) ==
        "{\"diagnostics\":[\"f:1:2: error: x\"],\"error\":\"nope\",\"ok\":false}\n");
}

TEST_CASE("protocol: request lines as the docs show them decode to their structs") {
  CHECK(decoded("{\"type\":\"status\"}") == Request{StatusRequest{}});
  CHECK(decoded("{\"type\":\"stop\"}") == Request{StopRequest{}});
  CHECK(decoded(R"j({"type":"vprobeLoad","script":"(vprobe VMM1Hz)","source":"<command line>"})j") ==
        Request{VprobeLoadRequest{.script = "(vprobe VMM1Hz)"}});
  CHECK(decoded(R"({"type":"vprobeLoad","script":"s","source":"t.vp","format":"json"})") ==
        Request{VprobeLoadRequest{"s", "t.vp", vp::OutputFormat::Json}});
  CHECK(decoded(R"({"type":"vprobeLoad","script":"s","format":"text"})") ==
        Request{VprobeLoadRequest{.script = "s"}});
  CHECK(decoded(R"({"type":"vprobeReset","script":3})") == Request{VprobeResetRequest{3}});
  CHECK(decoded(R"({"type":"vprobeListProbes"})") == Request{VprobeListProbesRequest{}});
  CHECK(decoded(R"({"type":"vprobeListGlobals"})") == Request{VprobeListGlobalsRequest{}});
  CHECK(decoded(R"({"type":"vprobeVersion"})") == Request{VprobeVersionRequest{}});
  CHECK(decoded(R"({"type":"vprobeStats"})") == Request{VprobeStatsRequest{}});
  // Fields a server does not know are ignored (a newer client).
  CHECK(decoded(R"({"type":"status","verbose":true})") == Request{StatusRequest{}});
  CHECK(requestTypeName(decoded(R"({"type":"vprobeListGlobals"})")) == "vprobeListGlobals");
}

TEST_CASE("protocol: reply lines as the docs show them decode to their structs") {
  auto status = decodedReply<StatusRequest>(
      R"({"ok":true,"vmx":"/vm/demo.vmx","displayName":"demo","pid":12,"state":"running",)"
      R"("vprobeOut":"/vm/vprobe.out","vprobeErr":"/vm/vprobe.err","vprobeJson":"/vm/vprobe.json",)"
      R"("script":0})");
  CHECK(std::get<StatusReply>(status) ==
        StatusReply{"/vm/demo.vmx", "demo", 12, "running", "/vm/vprobe.out", "/vm/vprobe.err",
                    "/vm/vprobe.json", 0});
  CHECK(std::get<VprobeVersionReply>(decodedReply<VprobeVersionRequest>(
            R"({"ok":true,"version":"1.0","enabled":false,"faultInjection":false})")) ==
        VprobeVersionReply{"1.0", false, false});
  CHECK(std::get<VprobeResetReply>(decodedReply<VprobeResetRequest>(R"({"ok":true})")) ==
        VprobeResetReply{});
  CHECK(std::get<ErrorReply>(decodedReply<StopRequest>(
            R"({"ok":false,"error":"The virtual machine is stopping"})")) ==
        ErrorReply{"The virtual machine is stopping"});
}

TEST_CASE("protocol: a request is one line whatever its script holds") {
  std::string script = "(vprobe VMM1Hz\n  (printf \"a\\nb\"))\n\x01";
  std::string line = encodeRequest(VprobeLoadRequest{.script = script});
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(std::get<VprobeLoadRequest>(decoded(bare(line))).script == script);
}

TEST_CASE("protocol: invalid UTF-8 is replaced, not thrown") {
  std::string line = encodeRequest(VprobeLoadRequest{.script = "a\xff" "b"});
  CHECK(std::get<VprobeLoadRequest>(decoded(bare(line))).script == "a\xEF\xBF\xBD" "b");
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
}

TEST_CASE("protocol: an unknown request type is named") {
  CHECK(decodeError("{\"type\":\"format\"}") == "unknown request type \"format\"");
  CHECK(decodeError("{\"type\":\"Status\"}") == "unknown request type \"Status\"");
}

TEST_CASE("protocol: a missing required field is named") {
  CHECK(decodeError(R"({"type":"vprobeLoad"})") == "malformed request: missing \"script\"");
  CHECK(decodeError(R"({"type":"vprobeLoad","source":"t.vp"})") ==
        "malformed request: missing \"script\"");
}

TEST_CASE("protocol: a field of the wrong type is named with the type it must have") {
  CHECK(decodeError(R"({"type":"vprobeLoad","script":5})") ==
        "malformed request: \"script\" must be a string");
  CHECK(decodeError(R"({"type":"vprobeLoad","script":"x","source":null})") ==
        "malformed request: \"source\" must be a string");
  CHECK(decodeError(R"({"type":"vprobeLoad","script":"x","format":"xml"})") ==
        "malformed request: \"format\" must be \"text\" or \"json\"");
  for (const char* bad : {"\"3\"", "-3", "3.5", "true", "[3]"}) {
    INFO(bad);
    CHECK(decodeError(std::string(R"({"type":"vprobeReset","script":)") + bad + "}") ==
          "malformed request: \"script\" must be a number (an unsigned integer)");
  }
}

TEST_CASE("protocol: a line longer than the limit is refused before it is parsed") {
  std::string script(kMaxRequestBytes, 'x');
  std::string line = bare(encodeRequest(VprobeLoadRequest{.script = script}));
  CHECK(decodeError(line) == "malformed request: too long: the limit is " +
                                 std::to_string(kMaxRequestBytes) + " bytes per line");
  std::string fits(kMaxRequestBytes - 100, 'x');
  CHECK(std::get<VprobeLoadRequest>(decoded(bare(encodeRequest(VprobeLoadRequest{.script = fits}))))
            .script == fits);
}

TEST_CASE("protocol: deeply nested garbage is refused without harm") {
  std::string deep(100000, '[');
  CHECK(decodeError(deep) == "malformed request: not JSON");
  CHECK(decodeError(deep + std::string(100000, ']')) ==
        "malformed request: expected a JSON object");
}

TEST_CASE("protocol: malformed replies are named") {
  const std::string bad = "malformed reply from the virtual machine: ";
  CHECK(replyError<StatusRequest>("nonsense") == bad + "not JSON");
  CHECK(replyError<StatusRequest>("{\"pid\":1}") == bad + "missing \"ok\"");
  CHECK(replyError<StopRequest>("{\"ok\":\"yes\",\"pid\":1}") == bad + "missing \"ok\"");
  CHECK(replyError<StopRequest>("{\"ok\":false}") == bad + "missing \"error\"");
  CHECK(replyError<StopRequest>("{\"ok\":true}") == bad + "missing \"pid\"");
  CHECK(replyError<StopRequest>("{\"ok\":true,\"pid\":18446744073709551615}") ==
        bad + "\"pid\" must be a number (an integer)");
  CHECK(replyError<VprobeListProbesRequest>(R"({"ok":true,"probes":["a",2]})") ==
        bad + "\"probes\" must be an array of strings");
  CHECK(replyError<VprobeStatsRequest>(R"({"ok":true,"stats":[["a",1,2]]})") ==
        bad + "\"stats\" must be an array of [name, number] pairs");
  CHECK(replyError<VprobeVersionRequest>(R"({"ok":true,"version":"1.0","enabled":1,)"
                                         R"("faultInjection":false})") ==
        bad + "\"enabled\" must be true or false");
  CHECK(replyError<StatusRequest>(std::string(kMaxReplyBytes + 1, ' ')) ==
        bad + "too long: the limit is " + std::to_string(kMaxReplyBytes) + " bytes per line");
}
