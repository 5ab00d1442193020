// The VM process's control protocol: what `vmrun` says over the control
// socket (a Unix stream socket beside the .vmx, see vm_paths.h).
//
// One JSON object per line, each way; one reply per request, in order.
// Requests name their type and carry its fields:
//   {"type":"status"}
//   {"type":"stop"}
//   {"type":"vprobeLoad","script":"(vprobe VMM1Hz ...)","source":"<command line>"}
//     optional "format":"json": the script prints JSON records
//     (vp/output_record.h) to "vprobeJson" instead of text
//     (vprobe -f json); "text" is the default
//   {"type":"vprobeReset"}  or  {"type":"vprobeReset","script":3} (only that script)
//   {"type":"vprobeListProbes"}
//   {"type":"vprobeListGlobals"}
//   {"type":"vprobeVersion"}
// Replies say whether it worked and carry the type's results:
//   {"ok":true, ...}     status: "vmx","displayName","pid","state",
//                          "vprobeOut","vprobeErr" (where probe output goes),
//                          "vprobeJson" (where JSON output goes),
//                          "script" (id of the loaded script, 0 if none)
//                        stop: "pid" (the process exits soon after)
//                        vprobeLoad: "diagnostics" (warnings, may be empty),
//                          "script" (the id of the script just loaded)
//                        vprobeReset with "script": "unloaded" (false when
//                          that script was no longer the loaded one)
//                        vprobeListProbes: "probes"; vprobeListGlobals: "globals"
//                        vprobeVersion: "version" ("1.0"), "enabled" (bool)
//   {"ok":false,"error":"sentence for the user","diagnostics":["file:1:5: error: ..."]}
// A request line longer than kMaxRequestBytes, or one that is not such an
// object, is answered with an error reply; the VM is not disturbed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmx {

enum class MessageType : uint8_t {
  Status,
  Stop,
  VprobeLoad,
  VprobeReset,
  VprobeListProbes,
  VprobeListGlobals,
  VprobeVersion,
  VprobeStats,  // our extension: every exit counted (machine.h exitStatistics)
  Count
};

// A VP script is at most a few hundred KiB of text; a MiB bounds what a
// request can make the VM process buffer.
inline constexpr size_t kMaxRequestBytes = 1u << 20;
// Replies list probes or globals; 16 MiB bounds what a client buffers.
inline constexpr size_t kMaxReplyBytes = 16u << 20;

std::string_view messageTypeName(MessageType type);
bool parseMessageType(std::string_view name, MessageType& out);

struct Request {
  MessageType type = MessageType::Count;
  nlohmann::json body;  // the whole request object
};

// One request line (ending in '\n'): `fields` with "type" added.
std::string encodeRequest(MessageType type,
                          nlohmann::json fields = nlohmann::json::object());

// Decodes one line (without its '\n'). On failure `error` is the reply's
// error text: malformed JSON, not an object, or an unknown "type".
bool decodeRequest(std::string_view line, Request& out, std::string& error);

// A string field of a request; false with `error` if absent or not a string.
bool requestString(const Request& request, const char* field, std::string& out,
                   std::string& error);

nlohmann::json okReply(nlohmann::json fields = nlohmann::json::object());
nlohmann::json errorReply(std::string_view error,
                          const std::vector<std::string>& diagnostics = {});

// One reply line (ending in '\n').
std::string encodeReply(const nlohmann::json& reply);

// Decodes one reply line; false with `error` unless it is an object with a
// boolean "ok" (and, when not ok, a string "error").
bool decodeReply(std::string_view line, nlohmann::json& out,
                 std::string& error);

}  // namespace vmx
