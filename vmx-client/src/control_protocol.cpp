// The wire form of every control message, in one place: each struct's
// fields are one table below (name, member, required or optional), read
// by one encoder and one decoder; each value type has one writer, one
// checked reader and the words that say what it must be.
#include "vmx-client/control_protocol.h"

#include <array>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

namespace vmx {
namespace {

using nlohmann::json;

// Indexed by Request's alternatives (the ok replies are in the same order).
constexpr std::array<std::string_view, std::variant_size_v<Request>> kTypeNames = {
    "status",           "stop",
    "vprobeLoad",       "vprobeReset",
    "vprobeListProbes", "vprobeListGlobals",
    "vprobeVersion",    "vprobeStats"};
static_assert(std::variant_size_v<Reply> == std::variant_size_v<Request> + 1,
              "one ok reply per request, then the error reply");

// -- Fields ---------------------------------------------------------------

enum class Presence {
  Required,  // always written; a line without it does not decode
  Optional,  // written only when not the struct's default; absent: the default
};

template <class S, class T>
struct Field {
  const char* name;
  T S::*member;
  Presence presence;
};

template <class S, class T>
constexpr Field<S, T> required(const char* name, T S::*member) {
  return {name, member, Presence::Required};
}
template <class S, class T>
constexpr Field<S, T> optional(const char* name, T S::*member) {
  return {name, member, Presence::Optional};
}

// fieldsOf(S*): the fields of S, in no particular order (JSON objects
// are written with sorted keys).
template <class S>
constexpr auto fieldsOf(const S*) requires std::is_empty_v<S> {
  return std::tuple<>{};
}
constexpr auto fieldsOf(const StatusReply*) {
  using S = StatusReply;
  return std::tuple{required("vmx", &S::vmx),           required("displayName", &S::displayName),
                    required("pid", &S::pid),           required("state", &S::state),
                    required("vprobeOut", &S::vprobeOut), required("vprobeErr", &S::vprobeErr),
                    required("vprobeJson", &S::vprobeJson), required("script", &S::script)};
}
constexpr auto fieldsOf(const StopReply*) { return std::tuple{required("pid", &StopReply::pid)}; }
constexpr auto fieldsOf(const VprobeLoadReply*) {
  using S = VprobeLoadReply;
  return std::tuple{required("diagnostics", &S::diagnostics), required("script", &S::script)};
}
constexpr auto fieldsOf(const VprobeResetReply*) {
  return std::tuple{optional("unloaded", &VprobeResetReply::unloaded)};
}
constexpr auto fieldsOf(const VprobeListProbesReply*) {
  return std::tuple{required("probes", &VprobeListProbesReply::probes)};
}
constexpr auto fieldsOf(const VprobeListGlobalsReply*) {
  return std::tuple{required("globals", &VprobeListGlobalsReply::globals)};
}
constexpr auto fieldsOf(const VprobeVersionReply*) {
  using S = VprobeVersionReply;
  return std::tuple{required("version", &S::version), required("enabled", &S::enabled),
                    required("faultInjection", &S::faultInjection)};
}
constexpr auto fieldsOf(const VprobeStatsReply*) {
  return std::tuple{required("stats", &VprobeStatsReply::stats)};
}
constexpr auto fieldsOf(const ErrorReply*) {
  return std::tuple{required("error", &ErrorReply::error),
                    optional("diagnostics", &ErrorReply::diagnostics)};
}
constexpr auto fieldsOf(const VprobeLoadRequest*) {
  using S = VprobeLoadRequest;
  return std::tuple{required("script", &S::script), optional("source", &S::source),
                    optional("format", &S::format)};
}
constexpr auto fieldsOf(const VprobeResetRequest*) {
  return std::tuple{optional("script", &VprobeResetRequest::script)};
}

// -- Values: write(), read() (false when the JSON is not one), expected() --

void write(json& j, const std::string& v) { j = v; }
bool read(const json& j, std::string& v) {
  if (!j.is_string()) return false;
  v = j.get<std::string>();
  return true;
}
const char* expected(const std::string*) { return "a string"; }

void write(json& j, bool v) { j = v; }
bool read(const json& j, bool& v) {
  if (!j.is_boolean()) return false;
  v = j.get<bool>();
  return true;
}
const char* expected(const bool*) { return "true or false"; }

void write(json& j, uint64_t v) { j = v; }
bool read(const json& j, uint64_t& v) {
  if (!j.is_number_unsigned()) return false;
  v = j.get<uint64_t>();
  return true;
}
const char* expected(const uint64_t*) { return "a number (an unsigned integer)"; }

void write(json& j, int64_t v) { j = v; }
bool read(const json& j, int64_t& v) {
  if (!j.is_number_integer()) return false;
  if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    return false;
  v = j.get<int64_t>();
  return true;
}
const char* expected(const int64_t*) { return "a number (an integer)"; }

void write(json& j, vp::OutputFormat v) { j = std::string(vp::outputFormatName(v)); }
bool read(const json& j, vp::OutputFormat& v) {
  return j.is_string() && vp::parseOutputFormat(j.get_ref<const std::string&>(), v);
}
const char* expected(const vp::OutputFormat*) { return "\"text\" or \"json\""; }

void write(json& j, const StatRow& v) { j = json::array({v.name, v.value}); }
bool read(const json& j, StatRow& v) {
  return j.is_array() && j.size() == 2 && read(j[0], v.name) && read(j[1], v.value);
}

template <class T>
void write(json& j, const std::optional<T>& v) {
  if (v) write(j, *v);
}
template <class T>
bool read(const json& j, std::optional<T>& v) {
  T value;
  if (!read(j, value)) return false;
  v = std::move(value);
  return true;
}
template <class T>
const char* expected(const std::optional<T>*) {
  return expected(static_cast<const T*>(nullptr));
}

template <class T>
void write(json& j, const std::vector<T>& v) {
  j = json::array();
  for (const T& item : v) write(j.emplace_back(), item);
}
template <class T>
bool read(const json& j, std::vector<T>& v) {
  if (!j.is_array()) return false;
  v.assign(j.size(), T{});
  for (size_t i = 0; i < j.size(); ++i)
    if (!read(j[i], v[i])) return false;
  return true;
}
const char* expected(const std::vector<std::string>*) { return "an array of strings"; }
const char* expected(const std::vector<StatRow>*) { return "an array of [name, number] pairs"; }

// -- Structs ----------------------------------------------------------------

template <class S, class T>
void encodeField(const S& s, const Field<S, T>& f, json& j) {
  if (f.presence == Presence::Optional && s.*f.member == S{}.*f.member) return;
  write(j[f.name], s.*f.member);
}

template <class S>
json encodeFields(const S& s) {
  json j = json::object();
  std::apply([&](const auto&... f) { (encodeField(s, f, j), ...); }, fieldsOf(&s));
  return j;
}

template <class S, class T>
bool decodeField(const json& j, const Field<S, T>& f, S& s, std::string& error) {
  auto it = j.find(f.name);
  if (it == j.end()) {
    if (f.presence == Presence::Optional) return true;
    error = std::string("missing \"") + f.name + "\"";
    return false;
  }
  if (read(*it, s.*f.member)) return true;
  error = std::string("\"") + f.name + "\" must be " + expected(&(s.*f.member));
  return false;
}

template <class S>
bool decodeFields(const json& j, S& s, std::string& error) {
  s = S{};
  return std::apply([&](const auto&... f) { return (decodeField(j, f, s, error) && ...); },
                    fieldsOf(&s));
}

// -- Lines ------------------------------------------------------------------

// dump() escapes newlines inside strings, and replacing invalid UTF-8
// keeps a hostile script's bytes from making the encoder throw.
std::string toLine(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// The object on `line`; false with `error` (without its prefix) if none.
bool parseObject(std::string_view line, size_t limit, json& out, std::string& error) {
  if (line.size() > limit) {
    error = "too long: the limit is " + std::to_string(limit) + " bytes per line";
    return false;
  }
  out = json::parse(line, nullptr, false);
  if (out.is_discarded()) {
    error = "not JSON";
    return false;
  }
  if (!out.is_object()) {
    error = "expected a JSON object";
    return false;
  }
  return true;
}

template <size_t I>
bool decodeAlternative(const json& j, Request& out, std::string& error) {
  std::variant_alternative_t<I, Request> request;
  if (!decodeFields(j, request, error)) return false;
  out = std::move(request);
  return true;
}

template <size_t... I>
bool decodeRequestOf(size_t index, const json& j, Request& out, std::string& error,
                     std::index_sequence<I...>) {
  bool ok = false;
  // The fold stops at the alternative whose index matches; its value is
  // only whether one matched (clang warns when it is dropped unnamed).
  [[maybe_unused]] bool matched =
      ((index == I && (ok = decodeAlternative<I>(j, out, error), true)) || ...);
  return ok;
}

const std::string kBadRequest = "malformed request: ";
const std::string kBadReply = "malformed reply from the virtual machine: ";

}  // namespace

std::string_view requestTypeName(const Request& request) {
  return kTypeNames[request.index()];
}

std::string encodeRequest(const Request& request) {
  json j = std::visit([](const auto& r) { return encodeFields(r); }, request);
  j["type"] = std::string(requestTypeName(request));
  return toLine(j);
}

std::string encodeReply(const Reply& reply) {
  json j = std::visit([](const auto& r) { return encodeFields(r); }, reply);
  j["ok"] = !std::holds_alternative<ErrorReply>(reply);
  return toLine(j);
}

bool decodeRequest(std::string_view line, Request& out, std::string& error) {
  json j;
  if (!parseObject(line, kMaxRequestBytes, j, error)) {
    error = kBadRequest + error;
    return false;
  }
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) {
    error = kBadRequest + "missing \"type\"";
    return false;
  }
  const std::string& name = type->get_ref<const std::string&>();
  size_t index = 0;
  while (index < kTypeNames.size() && kTypeNames[index] != name) ++index;
  if (index == kTypeNames.size()) {
    error = "unknown request type \"" + name + "\"";
    return false;
  }
  if (decodeRequestOf(index, j, out, error, std::make_index_sequence<kTypeNames.size()>{}))
    return true;
  error = kBadRequest + error;
  return false;
}

template <class Req>
bool decodeReply(std::string_view line, Response<Req>& out, std::string& error) {
  json j;
  bool decoded = parseObject(line, kMaxReplyBytes, j, error);
  auto ok = decoded ? j.find("ok") : j.end();
  if (decoded && (ok == j.end() || !ok->is_boolean())) {
    decoded = false;
    error = "missing \"ok\"";
  }
  if (decoded && ok->get<bool>()) {
    typename Req::Reply reply;
    if ((decoded = decodeFields(j, reply, error))) out = std::move(reply);
  } else if (decoded) {
    ErrorReply reply;
    if ((decoded = decodeFields(j, reply, error))) out = std::move(reply);
  }
  if (!decoded) error = kBadReply + error;
  return decoded;
}

// Defined here for every request type.
#define VMX_DECODE_REPLY(Req) \
  template bool decodeReply<Req>(std::string_view, Response<Req>&, std::string&);
VMX_DECODE_REPLY(StatusRequest)
VMX_DECODE_REPLY(StopRequest)
VMX_DECODE_REPLY(VprobeLoadRequest)
VMX_DECODE_REPLY(VprobeResetRequest)
VMX_DECODE_REPLY(VprobeListProbesRequest)
VMX_DECODE_REPLY(VprobeListGlobalsRequest)
VMX_DECODE_REPLY(VprobeVersionRequest)
VMX_DECODE_REPLY(VprobeStatsRequest)
#undef VMX_DECODE_REPLY
static_assert(std::variant_size_v<Request> == 8, "a new request type needs its line above");

}  // namespace vmx
