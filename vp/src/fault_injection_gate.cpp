#include "vp/src/fault_injection_gate.h"

namespace vp {

bool isFunctionEntry(const ProbePoint& p) {
  if (p.kind != ProbePoint::Kind::Guest) return false;
  std::string_view where = p.name;
  size_t at = where.find("GUEST:");
  if (at == std::string_view::npos) return false;
  where.remove_prefix(at + 6);
  if (where.starts_with("ENTER:")) return true;
  // A number is any instruction; a symbol is where a function starts.
  return !where.empty() && !(where[0] >= '0' && where[0] <= '9') && where[0] != '-' &&
         where[0] != '+';
}

namespace {

// The probe whose body is function `fn`, or null for a defun.
const ProbeDef* probeOf(const Program& p, uint32_t fn) {
  for (const ProbeDef& probe : p.probes)
    if (probe.function == fn) return &probe;
  return nullptr;
}

}  // namespace

bool checkFaultInjection(const Program& p, const Options& o, Diagnostics& d) {
  bool ok = true;
  for (const DestructiveCall& call : p.destructive) {
    std::string name(builtinInfo(call.id).name);
    if (!o.faultInjectionOff.empty()) {
      d.error(call.loc, "'" + name + "' changes the guest, and " + o.faultInjectionOff);
      ok = false;
      continue;
    }
    const ProbeDef* probe = probeOf(p, call.function);
    if (call.id == BuiltinId::Skipfunction && probe && !isFunctionEntry(probe->point)) {
      d.error(call.loc, "'skipfunction' returns from the function a probe is at the entry of, "
                        "and " + probe->point.name +
                        " is not at a function's entry (GUEST:symbol or GUEST:ENTER:)");
      ok = false;
    }
  }
  return ok;
}

}  // namespace vp
