#include "vp/synthetic_host.h"

#include "vp/src/sexpr.h"

namespace vp {

namespace {

bool sameProbe(const ProbePoint& a, const ProbePoint& b) {
  return a.kind == b.kind && a.staticId == b.staticId && a.value == b.value;
}

ProbePoint staticPoint(StaticProbe p) {
  ProbePoint pt;
  pt.kind = ProbePoint::Kind::Static;
  pt.staticId = p;
  pt.name = std::string(staticProbeInfo(p).name);
  return pt;
}

bool number(std::string_view text, uint64_t& v) {
  bool overflow = false;
  return parseIntegerLiteral(text, v, overflow) && !overflow;
}

}  // namespace

namespace {

bool isPrefixed(std::string_view head) {
  return head == "GUEST" || head == "GUEST_READ" || head == "GUEST_WRITE" || head == "USEC" ||
         head == "TIMER";
}

// Splits "NAMExCOUNT" (the count is digits after the last 'x'). In a hex
// value the 'x' of "0x" is not a count.
void splitCount(std::string_view& name, uint64_t& count) {
  size_t x = name.rfind('x');
  if (x == std::string_view::npos || x + 1 >= name.size()) return;
  std::string_view digits = name.substr(x + 1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return;
  if (x >= 1 && name[x - 1] == '0' && (x == 1 || name[x - 2] == ':')) return;
  uint64_t n;
  if (number(digits, n)) {
    count = n;
    name = name.substr(0, x);
  }
}

bool parseArgs(std::string_view list, std::vector<uint64_t>& out, std::string& error) {
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    std::string_view item = list.substr(start, comma == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : comma - start);
    uint64_t v;
    if (!number(item, v)) {
      error = "bad argument value '" + std::string(item) + "'";
      return false;
    }
    out.push_back(v);
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

bool parseEvent(std::string_view text, Event& out, std::string& error) {
  out = Event{};
  size_t colon = text.find(':');
  size_t nameEnd = colon;
  if (colon != std::string_view::npos && isPrefixed(text.substr(0, colon))) {
    nameEnd = text.find(':', colon + 1);
    // GUEST:ENTER:addr and GUEST:EXIT:addr have one more part.
    std::string_view kind = text.substr(colon + 1, nameEnd - colon - 1);
    if (nameEnd != std::string_view::npos && (kind == "ENTER" || kind == "EXIT"))
      nameEnd = text.find(':', nameEnd + 1);
  }
  std::string_view name = text.substr(0, nameEnd);
  std::string_view args =
      nameEnd == std::string_view::npos ? std::string_view() : text.substr(nameEnd + 1);
  splitCount(name, out.count);
  if (!parseProbePoint(name, out.point, error)) return false;
  if (nameEnd != std::string_view::npos && !parseArgs(args, out.args, error)) return false;
  if (out.args.size() > 10) {
    error = "at most 10 arguments (ARG0-ARG9)";
    return false;
  }
  return true;
}

SyntheticHost::SyntheticHost(Script& script, SyntheticTarget& vcpu, SyntheticTarget& vmx,
                             int vcpuId)
    : script_(script), vcpuTarget_(vcpu), vmxTarget_(vmx) {
  vcpu_ = script.newContext(vcpu, vcpuId, true);
  vmx_ = script.newContext(vmx, 0, false);
}

bool SyntheticHost::fireMatching(const ProbePoint& point, const std::vector<uint64_t>& args) {
  if (point.kind == ProbePoint::Kind::Static) {
    // The script's dispatch index, as the monitor uses it.
    for (uint32_t i : script_.probesOn(point.staticId)) {
      if (exited_) break;
      fireOne(i, args);
    }
    return !exited_;
  }
  const auto& probes = script_.probes();
  for (size_t i = 0; i < probes.size() && !exited_; ++i)
    if (sameProbe(probes[i], point)) fireOne(i, args);
  return !exited_;
}

void SyntheticHost::fireOne(size_t i, const std::vector<uint64_t>& args) {
  Context& ctx = script_.probes()[i].domain() == Domain::Vmx ? *vmx_ : *vcpu_;
  FireStatus s = script_.fire(ctx, i, args);
  if (s == FireStatus::Error) ++errors_;
  if (s == FireStatus::Exit) exited_ = true;
}

bool SyntheticHost::start() {
  vcpuTarget_.advance();
  vmxTarget_.advance();
  return fireMatching(staticPoint(StaticProbe::VMMLoad), {}) &&
         fireMatching(staticPoint(StaticProbe::VMXLoad), {});
}

bool SyntheticHost::fire(const Event& e) {
  for (uint64_t i = 0; i < e.count && !exited_; ++i) {
    vcpuTarget_.advance();
    vmxTarget_.advance();
    fireMatching(e.point, e.args);
  }
  return !exited_;
}

void SyntheticHost::finish() {
  // Unload probes run even after (exit): that is how a script learns it is
  // going away, as DTrace's END does.
  exited_ = false;
  vcpuTarget_.advance();
  vmxTarget_.advance();
  fireMatching(staticPoint(StaticProbe::VMMUnload), {});
  fireMatching(staticPoint(StaticProbe::VMXUnload), {});
  vcpu_->flush();
  vmx_->flush();
}

}  // namespace vp
