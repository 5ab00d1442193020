// planGuestProbes (guest_probes.h): what a script's GUEST:, GUEST_READ:,
// GUEST_WRITE: and Guest_<exception> probes mean in the running guest,
// checked before the script replaces the loaded one, so that a refused
// script leaves the running one alone.
#include <chrono>
#include <optional>
#include <thread>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/page_walk.h"
#include "vmm-engine/src/probes/cr3_sites.h"
#include "vmm-engine/src/probes/exception_vectors.h"
#include "vmm-engine/src/probes/guest_lookup.h"
#include "vmm-engine/symbol_code_map.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kUserTop = 0x0000800000000000ull;

// Tries every vCPU. A user-mode address is mapped only while a process
// that has it runs, so those are tried again for up to a second: a busy
// or slow (emulated) guest may leave a process off its CPU that long.
bool findMapping(Vm& vm, uint64_t linear, AccessCheck::Kind kind, bool code, GuestLookup& f,
                 std::string& cr3s) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + std::chrono::milliseconds(linear < kUserTop ? 1000 : 0);
  for (bool again = true; again;) {
    again = Clock::now() < until;
    cr3s.clear();
    for (unsigned i = 0; i < vm.numVcpus(); ++i) {
      Vcpu& v = vm.vcpu(i);
      bool ok = false;
      v.call([&] { ok = lookOnVcpu(vm, v, linear, kind, code, f); });
      if (ok) return true;
      cr3s += (cr3s.empty() ? "" : ", ") + hexAddr(f.cr3);
    }
    if (again) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

struct Planner {
  Vm& vm;
  const std::string& file;
  std::vector<vp::Diagnostic>& diags;
  const vp::GuestSymbols* symbols;
  GuestProbePlan plan;

  void error(const std::string& name, const std::string& msg) {
    diags.push_back({vp::Diagnostic::Severity::Error, file, 0, 0, name + ": " + msg});
  }
  std::string unmapped(uint64_t a, const std::string& cr3s) {
    return "address " + hexAddr(a) + " is not mapped in the guest's page tables (CR3 " + cr3s +
           " on the vCPUs now)";
  }

  // GUEST:addr, and the entry of a GUEST:EXIT: function (`exit`).
  void code(const vp::ProbePoint& p, uint32_t index, bool exit) {
    auto add = [&](GuestProbePlan::Code& c) {
      (exit ? c.exitProbes : c.probes).push_back(index);
    };
    for (auto& c : plan.code)
      if (c.linear == p.value) return add(c);  // the same address twice: both fire
    GuestLookup f;
    std::string cr3s;
    if (!findMapping(vm, p.value, AccessCheck::Fetch, true, f, cr3s))
      return error(p.name, unmapped(p.value, cr3s) + " as executable code");
    GuestProbePlan::Code c;
    c.linear = p.value, c.gpa = f.gpa, c.user = f.user;
    std::string why;
    if (!ProbeInsn::decode(f.bytes, f.nbytes, p.value, c.insn, why))
      return error(p.name, why + " (the monitor runs the displaced instruction itself; is " +
                               hexAddr(p.value) + " the start of an instruction?)");
    add(c);
    plan.code.push_back(std::move(c));
  }

  void warn(const std::string& msg) {
    diags.push_back({vp::Diagnostic::Severity::Warning, file, 0, 0, "Guest_CR3Write: " + msg});
  }

  // Where to look for `mov cr3`: the guest image's code sections, or for a
  // kernel without an image (Linux), its text as its symbols cut it.
  // `what` says which, for the messages.
  std::vector<CodeRange> codeToSearch(std::string& what) {
    if (!vm.imageCode().empty()) {
      what = std::to_string(vm.imageCode().size()) + " code ranges of the guest image";
      return vm.imageCode();
    }
    if (!symbols) return {};
    std::optional<uint64_t> text = symbols->find("_stext"), etext = symbols->find("_etext");
    if (!text || !etext) return {};
    std::vector<uint64_t> addrs;
    addrs.reserve(symbols->size());
    for (const auto& [name, addr] : symbols->all()) addrs.push_back(addr);
    std::vector<CodeRange> code = symbolCodeRanges(addrs, *text, *etext);
    what = std::to_string(code.size()) + " code ranges of the kernel text " + hexAddr(*text) +
           ".." + hexAddr(*etext) + " (cut at the symbols of " + symbols->source() + ")";
    return code;
  }

  // Every `mov cr3` of the guest kernel's code, each a code site firing
  // `probes` (cr3_sites.h). What cannot be found or trapped is a warning:
  // the rest of the script still runs.
  void cr3Writes(const std::vector<uint32_t>& probes) {
    std::string looked;
    std::vector<CodeRange> code = codeToSearch(looked);
    if (code.empty())
      return warn("never fires: the monitor finds mov-to-CR3 instructions in the code "
                  "sections of the guest.image ELF or, for a Linux guest.kernel, in the "
                  "kernel text between the _stext and _etext of the running kernel's "
                  "symbols (vprobe.guestSyms, from `vmrun getGuestSymbols`), and this "
                  "guest has neither");
    Cr3Scan scan;
    Vcpu& v = vm.vcpu(0);
    v.call([&] { scan = findCr3Writes(v, code); });
    looked += ", " + std::to_string(scan.bytes) + " bytes decoded";
    if (scan.unmapped) looked += ", " + std::to_string(scan.unmapped) + " cut short unmapped";
    if (scan.undecodable)
      looked += ", " + std::to_string(scan.undecodable) + " cut short by bytes that do not decode";
    if (scan.sites.empty())
      return warn("no mov-to-CR3 found in the guest's kernel text (" + looked +
                  "), so the probe never fires");
    for (uint64_t at : scan.sites) {
      GuestLookup f;
      std::string cr3s, why;
      GuestProbePlan::Code c;
      if (!findMapping(vm, at, AccessCheck::Fetch, true, f, cr3s)) {
        warn("the mov cr3 at " + hexAddr(at) + " is not trapped: " + unmapped(at, cr3s));
        continue;
      }
      if (!ProbeInsn::decode(f.bytes, f.nbytes, at, c.insn, why) || !c.insn.writesCr3()) {
        warn("the mov cr3 at " + hexAddr(at) + " is not trapped: " +
             (why.empty() ? "it changed since it was found" : why));
        continue;
      }
      c.linear = at, c.gpa = f.gpa, c.user = f.user, c.cr3Probes = probes;
      plan.code.push_back(std::move(c));
    }
  }

  void watch(const vp::ProbePoint& p, uint32_t index) {
    bool write = p.kind == vp::ProbePoint::Kind::GuestWrite;
    if (write && !vm.memoryLayout().readOnlySupported())
      return error(p.name, "this host cannot write-protect guest pages (no KVM_CAP_READONLY_MEM)");
    for (auto& w : plan.watches)
      if (w.linear == p.value && w.write == write) {
        w.probes.push_back(index);
        return;
      }
    GuestLookup f;
    std::string cr3s;
    if (!findMapping(vm, p.value, AccessCheck::Read, false, f, cr3s))
      return error(p.name, unmapped(p.value, cr3s));
    plan.watches.push_back({p.value, f.gpa, write, {index}});
  }

  // A read watch unbacks its page: the guest can no longer execute there.
  void checkWatchPages() {
    for (auto& w : plan.watches) {
      if (w.write) continue;
      for (auto& c : plan.code)
        if (c.gpa / kPage == w.gpa / kPage)
          error("GUEST_READ:" + hexAddr(w.linear),
                "its page also holds the probed instruction at " + hexAddr(c.linear) +
                    "; a read-watched page cannot hold code the guest runs");
    }
  }

  // Exception traps need the handler's first instruction to be one the
  // monitor can run. Checked now when the guest has an IDT (later ones
  // are checked as the guest sets them, see GuestProbes::refresh).
  void checkHandler(unsigned vector, const std::string& name) {
    Vcpu& v = vm.vcpu(0);
    std::vector<exc::Gate> idt;
    v.call([&] { idt = exc::readIdt(v); });
    if (vector >= idt.size() || !idt[vector].present) return;  // resolved when the guest sets it
    uint64_t handler = idt[vector].handler;
    if (int other = exc::sharedWith(idt, vector); other >= 0)
      return error(name, "the guest's IDT sends vectors " + std::to_string(vector) + " and " +
                             std::to_string(other) + " to the same handler " +
                             hexAddr(handler) + "; the monitor cannot tell them apart there");
    GuestLookup f;
    std::string cr3s, why;
    ProbeInsn insn;
    if (!findMapping(vm, handler, AccessCheck::Fetch, true, f, cr3s))
      return error(name, "the handler of vector " + std::to_string(vector) + ", " +
                             unmapped(handler, cr3s));
    if (!ProbeInsn::decode(f.bytes, f.nbytes, handler, insn, why))
      return error(name, "the handler of vector " + std::to_string(vector) + " at " +
                             hexAddr(handler) + ": " + why);
  }

  // User-mode stops that do not exit by themselves reach the guest's #BP
  // handler (an int3) or #GP handler (a hlt): one the monitor must trap.
  void checkUserTrap(const BreakpointSupport& stops) {
    unsigned vec = stops.userTrapVector();
    if (!plan.exceptions[vec].empty()) return;  // checked as a Guest_ probe
    checkHandler(vec, std::string("user-mode GUEST: probes (through the guest's ") +
                          (vec == exc::kBreakpoint ? "#BP" : "#GP") + " handler)");
  }
};

}  // namespace

bool GuestProbePlan::empty() const {
  if (!code.empty() || !watches.empty()) return false;
  for (auto& e : exceptions)
    if (!e.empty()) return false;
  return true;
}

bool GuestProbePlan::needsUserTrap() const {
  for (auto& c : code)
    if (c.user) return true;
  return false;
}

GuestProbePlan planGuestProbes(Vm& vm, const vp::Script& script, const std::string& file,
                               std::vector<vp::Diagnostic>& diags,
                               const vp::GuestSymbols* symbols) {
  Planner pl{vm, file, diags, symbols, {}};
  const auto& probes = script.probes();
  const BreakpointSupport& stops = vm.breakpointSupport();
  auto noStops = [&](const vp::ProbePoint& p) {
    if (stops.mechanism != BreakpointMechanism::None) return false;
    pl.error(p.name, "this host reports neither a guest int3 nor a guest hlt to the monitor (" +
                         stops.detail + "), so no probe on guest code can fire here");
    return true;
  };
  std::vector<uint32_t> cr3;
  for (uint32_t i = 0; i < probes.size(); ++i) {
    const vp::ProbePoint& p = probes[i];
    using K = vp::ProbePoint::Kind;
    if (p.kind == K::Static && p.staticId == vp::StaticProbe::Guest_CR3Write && !noStops(p))
      cr3.push_back(i);
    if ((p.kind == K::Guest || p.kind == K::GuestExit) && !noStops(p))
      pl.code(p, i, p.kind == K::GuestExit);
    if (p.kind == K::GuestRead || p.kind == K::GuestWrite) pl.watch(p, i);
    if (p.kind != K::Static) continue;
    if (auto v = exc::vectorOf(p.staticId); v && !noStops(p)) pl.plan.exceptions[*v].push_back(i);
  }
  if (!cr3.empty()) pl.cr3Writes(cr3);
  pl.checkWatchPages();
  for (unsigned v = 0; v < exc::kVectors; ++v)
    if (!pl.plan.exceptions[v].empty()) pl.checkHandler(v, exc::probeName(v));
  if (pl.plan.needsUserTrap()) pl.checkUserTrap(stops);
  return std::move(pl.plan);
}

}  // namespace vmm
