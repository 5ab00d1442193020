// The VM process's control protocol: what `vmrun` and `vprobe` say over
// the control socket (a Unix stream socket beside the .vmx, see
// vm_paths.h). This header is the reference for every message's fields;
// docs/control-protocol.md shows each on the wire.
//
// One JSON object per line, each way; one reply per request, in order.
// A request names its type ("type") and carries that type's fields; a
// reply says whether it worked ("ok") and carries the type's results:
//   {"type":"status"}
//     -> {"ok":true,"vmx":...,"displayName":...,"pid":...,"state":...,
//         "vprobeOut":...,"vprobeErr":...,"vprobeJson":...,"script":...}
//   {"type":"stop"}                       -> {"ok":true,"pid":...}
//   {"type":"vprobeLoad","script":"(vprobe VMM1Hz ...)","source":"t.vp"}
//     -> {"ok":true,"diagnostics":[...],"script":3}
//   {"type":"vprobeReset"}                -> {"ok":true}
//   {"type":"vprobeReset","script":3}     -> {"ok":true,"unloaded":true}
//   {"type":"vprobeListProbes"}           -> {"ok":true,"probes":[...]}
//   {"type":"vprobeListGlobals"}          -> {"ok":true,"globals":[...]}
//   {"type":"vprobeVersion"}
//     -> {"ok":true,"version":"1.2","enabled":true,"faultInjection":false}
//   {"type":"vprobeStats"}                -> {"ok":true,"stats":[["kvm.exits",7],...]}
// Any request may instead get an error reply:
//   {"ok":false,"error":"sentence for the user","diagnostics":["file:1:5: error: ..."]}
//
// Each message is a struct below; the field names, which are required and
// how each is written are in one place, control_protocol.cpp. Fields a
// struct marks "optional" are left out of a line when they hold their
// default, and read as the default when absent. Fields a decoder does not
// know are ignored. A line that is too long, not JSON, not an object, of
// an unknown type, or missing a required field or holding one of the
// wrong type does not decode: the error says which, and the server
// answers it with an error reply; the VM is not disturbed. Decoding never
// throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vp/output_record.h"

namespace vmx {

// A VP script is at most a few hundred KiB of text; a MiB bounds what a
// request can make the VM process buffer.
inline constexpr size_t kMaxRequestBytes = 1u << 20;
// Replies list probes or globals; 16 MiB bounds what a client buffers.
inline constexpr size_t kMaxReplyBytes = 16u << 20;

// Replies, one per request type (ok:true), and the error reply (ok:false).

struct StatusReply {
  std::string vmx;  // the .vmx, absolute
  std::string displayName;
  int64_t pid = 0;  // the VM process
  std::string state;  // machineStateName(): "running", "stopping", ...
  // Where probe output goes: text, errors, JSON records (vprobe -f json).
  std::string vprobeOut, vprobeErr, vprobeJson;
  uint64_t script = 0;  // the id of the loaded script, 0 if none
  bool operator==(const StatusReply&) const = default;
};

struct StopReply {
  int64_t pid = 0;  // the VM process, which exits soon after
  bool operator==(const StopReply&) const = default;
};

struct VprobeLoadReply {
  std::vector<std::string> diagnostics;  // warnings, may be empty
  uint64_t script = 0;                   // the id of the script just loaded
  bool operator==(const VprobeLoadReply&) const = default;
};

struct VprobeResetReply {
  // Only when the request named a script: false when that script was no
  // longer the loaded one.
  std::optional<bool> unloaded;  // optional
  bool operator==(const VprobeResetReply&) const = default;
};

struct VprobeListProbesReply {
  std::vector<std::string> probes;
  bool operator==(const VprobeListProbesReply&) const = default;
};

struct VprobeListGlobalsReply {
  std::vector<std::string> globals;
  bool operator==(const VprobeListGlobalsReply&) const = default;
};

struct VprobeVersionReply {
  std::string version;  // the VP version the engine runs as, "1.0".."1.3"
  bool enabled = false;  // scripts may load (vprobe.allow and vprobe.enable)
  bool faultInjection = false;  // destructive built-ins may run too
  bool operator==(const VprobeVersionReply&) const = default;
};

// One row of vprobeStats; on the wire a pair [name, value].
struct StatRow {
  std::string name;
  uint64_t value = 0;
  bool operator==(const StatRow&) const = default;
};

struct VprobeStatsReply {
  std::vector<StatRow> stats;  // in the machine's order (machine.h)
  bool operator==(const VprobeStatsReply&) const = default;
};

struct ErrorReply {
  ErrorReply() = default;
  explicit ErrorReply(std::string e, std::vector<std::string> d = {})
      : error(std::move(e)), diagnostics(std::move(d)) {}
  std::string error;                     // a sentence for the user
  std::vector<std::string> diagnostics;  // optional: the engine's errors
  bool operator==(const ErrorReply&) const = default;
};

// Requests; each names the reply it gets when it works.

struct StatusRequest {
  using Reply = StatusReply;
  bool operator==(const StatusRequest&) const = default;
};

struct StopRequest {
  using Reply = StopReply;
  bool operator==(const StopRequest&) const = default;
};

struct VprobeLoadRequest {
  using Reply = VprobeLoadReply;
  std::string script;  // VP source text
  std::string source = "<command line>";  // optional: its name in diagnostics
  // optional: Json prints JSON records (vp/output_record.h) to vprobeJson
  // instead of text (vprobe -f json); on the wire "text" or "json".
  vp::OutputFormat format = vp::OutputFormat::Text;
  bool operator==(const VprobeLoadRequest&) const = default;
};

struct VprobeResetRequest {
  using Reply = VprobeResetReply;
  // optional: unload only this script (a client ending its own run must
  // not unload a script someone else loaded since); absent: any script.
  std::optional<uint64_t> script;
  bool operator==(const VprobeResetRequest&) const = default;
};

struct VprobeListProbesRequest {
  using Reply = VprobeListProbesReply;
  bool operator==(const VprobeListProbesRequest&) const = default;
};

struct VprobeListGlobalsRequest {
  using Reply = VprobeListGlobalsReply;
  bool operator==(const VprobeListGlobalsRequest&) const = default;
};

struct VprobeVersionRequest {
  using Reply = VprobeVersionReply;
  bool operator==(const VprobeVersionRequest&) const = default;
};

// Our extension: every exit counted (machine.h exitStatistics).
struct VprobeStatsRequest {
  using Reply = VprobeStatsReply;
  bool operator==(const VprobeStatsRequest&) const = default;
};

// Any request, as the server decodes it.
using Request =
    std::variant<StatusRequest, StopRequest, VprobeLoadRequest, VprobeResetRequest,
                 VprobeListProbesRequest, VprobeListGlobalsRequest, VprobeVersionRequest,
                 VprobeStatsRequest>;

// Any reply, as the server sends it.
using Reply = std::variant<StatusReply, StopReply, VprobeLoadReply, VprobeResetReply,
                           VprobeListProbesReply, VprobeListGlobalsReply, VprobeVersionReply,
                           VprobeStatsReply, ErrorReply>;

// What a client gets for a request of type Req: Req::Reply or an error.
template <class Req>
using Response = std::variant<typename Req::Reply, ErrorReply>;

// The request's "type": "status", "vprobeLoad", ...
std::string_view requestTypeName(const Request& request);

// One line each (ending in '\n'), whatever the strings hold: newlines are
// escaped, invalid UTF-8 is replaced.
std::string encodeRequest(const Request& request);
std::string encodeReply(const Reply& reply);

// Decodes one line (without its '\n'). On failure `error` is the sentence
// an error reply carries: "malformed request: missing \"script\"", ...
bool decodeRequest(std::string_view line, Request& out, std::string& error);

// Decodes the reply to a request of type Req: its reply when "ok" is true,
// an ErrorReply when false. Defined for every request type.
template <class Req>
bool decodeReply(std::string_view line, Response<Req>& out, std::string& error);

}  // namespace vmx
