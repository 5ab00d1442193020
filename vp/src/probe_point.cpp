#include "vp/probe_point.h"

#include <array>
#include <optional>

#include "vp/guest_symbols.h"
#include "vp/src/sexpr.h"

namespace vp {

namespace {

constexpr std::array<StaticProbeInfo, static_cast<size_t>(StaticProbe::Count)>
    kProbes{{
#define VP_PROBE_INFO(name, domain, nargs, source, param) \
  {#name, Domain::domain, nargs, Source::source, param},
        VP_STATIC_PROBES(VP_PROBE_INFO)
#undef VP_PROBE_INFO
    }};

// The table's invariants, checked where it is compiled.
constexpr bool namesUnique() {
  for (size_t i = 0; i < kProbes.size(); ++i)
    for (size_t j = i + 1; j < kProbes.size(); ++j)
      if (kProbes[i].name == kProbes[j].name) return false;
  return true;
}
static_assert(namesUnique(), "two rows of VP_STATIC_PROBES have one name");

// A parameter only where the source has one: a period of at least 1 us, an
// exception vector (0..31) that no other row has.
constexpr bool paramsValid() {
  for (size_t i = 0; i < kProbes.size(); ++i) {
    const StaticProbeInfo& p = kProbes[i];
    if (p.source == Source::Periodic && p.param == 0) return false;
    if (p.source == Source::Exception && p.param >= 32) return false;
    if (p.source != Source::Periodic && p.source != Source::Exception && p.param != 0) return false;
    for (size_t j = i + 1; j < kProbes.size(); ++j)
      if (p.source == Source::Exception && kProbes[j].source == Source::Exception &&
          p.param == kProbes[j].param)
        return false;
  }
  return true;
}
static_assert(paramsValid(), "a row of VP_STATIC_PROBES has a wrong param for its source");

// Events on a vCPU are VMM probes; the device threads are the VMX's.
constexpr bool domainsFitSources() {
  for (const StaticProbeInfo& p : kProbes) {
    bool vcpu = p.source == Source::Exit || p.source == Source::Smm ||
                p.source == Source::Exception || p.source == Source::Breakpoint;
    bool device = p.source == Source::Disk || p.source == Source::Net;
    if ((vcpu && p.domain != Domain::Vmm) || (device && p.domain != Domain::Vmx)) return false;
  }
  return true;
}
static_assert(domainsFitSources(), "a row of VP_STATIC_PROBES fires in the wrong domain");

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

// TIMER:<n><unit> of the 2011 Emmett compiler, in microseconds per unit.
struct TimerUnit {
  std::string_view suffix;
  uint64_t usec;
};
constexpr TimerUnit kTimerUnits[] = {{"usec", 1}, {"msec", 1000}, {"sec", 1000000}};

bool parseValue(std::string_view text, uint64_t& v) {
  bool overflow = false;
  return !text.empty() && text[0] != '-' && text[0] != '+' &&
         parseIntegerLiteral(text, v, overflow) && !overflow;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const char* domainName(Domain d) { return d == Domain::Vmm ? "VMM" : "VMX"; }

bool parseTimer(std::string_view period, ProbePoint& out, std::string& error) {
  size_t digits = period.find_first_not_of("0123456789");
  std::string_view number = period.substr(0, digits);
  std::string_view unit = digits == std::string_view::npos ? "" : period.substr(digits);
  for (const auto& u : kTimerUnits) {
    if (unit != u.suffix || number.empty()) continue;
    uint64_t n = 0;
    if (!parseValue(number, n) || n > UINT64_MAX / u.usec) {
      error = "TIMER: period " + std::string(period) + " does not fit in 64 bits of microseconds";
      return false;
    }
    if (n == 0) {
      error = "TIMER: period must be at least 1 microsecond";
      return false;
    }
    out.kind = ProbePoint::Kind::Usec;
    out.value = n * u.usec;
    return true;
  }
  error = "TIMER: needs a period with a unit, e.g. TIMER:10msec (units usec, msec, sec)";
  return false;
}

// GUEST:<address>, GUEST:ENTER:<address>, GUEST:EXIT:<address> and the
// same with a symbol.
bool parseGuest(std::string_view where, ProbePoint& out, std::string& error,
                const GuestSymbols* symbols) {
  out.kind = ProbePoint::Kind::Guest;
  std::string_view form = "GUEST:";
  if (startsWith(where, "ENTER:")) where.remove_prefix(6);
  if (startsWith(where, "EXIT:")) {
    where.remove_prefix(5);
    out.kind = ProbePoint::Kind::GuestExit;
    form = "GUEST:EXIT:";
  }
  if (where.empty() || (where[0] >= '0' && where[0] <= '9') || where[0] == '-' ||
      where[0] == '+') {
    if (parseValue(where, out.value)) return true;
    error = std::string(form) + " needs a guest linear address, e.g. " +
            std::string(form) + "0xffffffff81000000";
    return false;
  }
  if (!symbols) {
    error = out.name +
            " names a guest symbol, but no guest symbols were given "
            "(vp run --syms FILE, or vprobe.guestSyms in the .vmx)";
    return false;
  }
  std::optional<uint64_t> addr = symbols->find(where);
  if (!addr) {
    error = "unknown guest symbol '" + std::string(where) + "' (not in " + symbols->source() + ")";
    return false;
  }
  out.value = *addr;
  return true;
}

bool parseUnqualified(std::string_view name, ProbePoint& out, std::string& error,
                      const GuestSymbols* symbols) {
  if (startsWith(name, "GUEST:")) return parseGuest(name.substr(6), out, error, symbols);
  if (startsWith(name, "TIMER:")) return parseTimer(name.substr(6), out, error);
  for (const auto& p : kPrefixes) {
    if (!startsWith(name, p.text)) continue;
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
  error = "unknown probe '" + out.name + "'";
  return false;
}

// A VMM: or VMX: prefix must name the domain the probe fires in.
bool checkDomain(std::string_view bare, Domain written, const ProbePoint& p,
                 std::string& error) {
  if (p.inGuest()) {
    error = std::string(domainName(written)) + ": does not go before a guest probe; write " +
            std::string(bare);
    return false;
  }
  if (p.domain() == written) return true;
  std::string what = p.kind == ProbePoint::Kind::Usec
                         ? "periodic probes fire"
                         : "probe " + std::string(bare) + " fires";
  error = what + " in the " + domainName(p.domain()) + " domain, not " + domainName(written) +
          ": write " + domainName(p.domain()) + ":" + std::string(bare);
  return false;
}

}  // namespace

const StaticProbeInfo& staticProbeInfo(StaticProbe p) {
  return kProbes[static_cast<size_t>(p)];
}

Domain ProbePoint::domain() const {
  return kind == Kind::Static ? staticProbeInfo(staticId).domain : Domain::Vmm;
}

bool ProbePoint::inGuest() const {
  return kind == Kind::Guest || kind == Kind::GuestExit || kind == Kind::GuestRead ||
         kind == Kind::GuestWrite;
}

bool parseProbePoint(std::string_view name, ProbePoint& out, std::string& error,
                     const GuestSymbols* symbols) {
  out = ProbePoint{};
  out.name = std::string(name);
  std::optional<Domain> written;
  if (startsWith(name, "VMM:")) written = Domain::Vmm;
  if (startsWith(name, "VMX:")) written = Domain::Vmx;
  std::string_view bare = written ? name.substr(4) : name;
  if (!parseUnqualified(bare, out, error, symbols)) return false;
  return !written || checkDomain(bare, *written, out, error);
}

}  // namespace vp
