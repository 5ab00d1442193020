#include "vp/probe_point.h"

#include <array>

#include "vp/src/sexpr.h"

namespace vp {

namespace {

constexpr std::array<StaticProbeInfo, static_cast<size_t>(StaticProbe::Count)>
    kProbes{{
#define VP_PROBE_INFO(name, domain, nargs) {#name, Domain::domain, nargs},
        VP_STATIC_PROBES(VP_PROBE_INFO)
#undef VP_PROBE_INFO
    }};

struct Prefix {
  std::string_view text;
  ProbePoint::Kind kind;
};
constexpr Prefix kPrefixes[] = {
    {"GUEST:", ProbePoint::Kind::Guest},
    {"GUEST_READ:", ProbePoint::Kind::GuestRead},
    {"GUEST_WRITE:", ProbePoint::Kind::GuestWrite},
    {"USEC:", ProbePoint::Kind::Usec},
};

bool parseValue(std::string_view text, uint64_t& v) {
  bool overflow = false;
  return !text.empty() && text[0] != '-' && text[0] != '+' &&
         parseIntegerLiteral(text, v, overflow) && !overflow;
}

}  // namespace

const StaticProbeInfo& staticProbeInfo(StaticProbe p) {
  return kProbes[static_cast<size_t>(p)];
}

Domain ProbePoint::domain() const {
  return kind == Kind::Static ? staticProbeInfo(staticId).domain : Domain::Vmm;
}

bool parseProbePoint(std::string_view name, ProbePoint& out,
                     std::string& error) {
  out = ProbePoint{};
  out.name = std::string(name);
  for (const auto& p : kPrefixes) {
    if (name.substr(0, p.text.size()) != p.text) continue;
    out.kind = p.kind;
    std::string_view rest = name.substr(p.text.size());
    if (!parseValue(rest, out.value)) {
      error = p.kind == ProbePoint::Kind::Usec
                  ? "USEC: needs a period in microseconds, e.g. USEC:1000"
                  : std::string(p.text) + " needs a guest linear address, e.g. " +
                        std::string(p.text) + "0xffffffff81000000";
      return false;
    }
    if (p.kind == ProbePoint::Kind::Usec && out.value == 0) {
      error = "USEC: period must be at least 1 microsecond";
      return false;
    }
    return true;
  }
  for (size_t i = 0; i < kProbes.size(); ++i) {
    if (kProbes[i].name == name) {
      out.kind = ProbePoint::Kind::Static;
      out.staticId = static_cast<StaticProbe>(i);
      return true;
    }
  }
  error = "unknown probe '" + std::string(name) + "'";
  return false;
}

}  // namespace vp
