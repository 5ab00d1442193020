// GuestProbes: arming, disarming, and following the guest's IDT. The
// hits themselves are in breakpoint_hit.cpp and data_watch.cpp.
//
// Everything the vCPU threads read (the sites, the trap handler, the
// memslots) changes only inside Vm::stopWorld, so the hit path takes no
// lock.
#include "vmm-engine/guest_probes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "vmm-engine/src/probes/exception_vectors.h"
#include "vmm-engine/src/probes/guest_lookup.h"
#include "vmm-engine/src/probes/guest_probe_site.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint64_t kPage = 4096;
using Mode = MemoryLayout::PageMode;

}  // namespace

GuestProbes::GuestProbes(Vm& vm, GuestProbePlan plan, Fire fire, Report report)
    : vm_(vm),
      plan_(std::move(plan)),
      fire_(std::move(fire)),
      report_(std::move(report)),
      retry_(vm.numVcpus()),
      handBack_(vm.numVcpus()) {}

GuestProbes::~GuestProbes() { disarm(); }

void GuestProbes::reportOnce(const std::string& line) {
  {
    std::lock_guard l(reportMu_);
    if (!reported_.insert(line).second) return;
  }
  report_(line);
}

// The exception handlers to trap, as every vCPU's IDT has them now. Runs
// on each vCPU's thread in turn (call()).
GuestProbes::Handlers GuestProbes::readHandlers() {
  Handlers out;
  uint32_t wanted = 0;
  for (unsigned v = 0; v < exc::kVectors; ++v)
    if (!plan_.exceptions[v].empty()) wanted |= 1u << v;
  // User-mode stops reach the guest's handler of this vector (on hosts
  // where they do not exit by themselves).
  uint32_t userTraps = 0;
  if (plan_.needsUserTrap()) userTraps = 1u << vm_.breakpointSupport().userTrapVector();
  wanted |= userTraps;
  if (!wanted) return out;
  for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
    Vcpu& v = vm_.vcpu(i);
    v.call([&] {
      std::vector<exc::Gate> idt = exc::readIdt(v);
      for (unsigned vec = 0; vec < exc::kVectors && vec < idt.size(); ++vec) {
        if (!(wanted & (1u << vec)) || !idt[vec].present) continue;
        std::string what = std::string(exc::probeName(vec)) + ": the guest's handler of vector " +
                           std::to_string(vec) + " at " + hexAddr(idt[vec].handler);
        if (int other = exc::sharedWith(idt, vec); other >= 0) {
          reportOnce(what + " also serves vector " + std::to_string(other) +
                     "; not trapped (the two cannot be told apart)");
          continue;
        }
        GuestLookup f;
        ProbeInsn insn;
        std::string why;
        if (!lookOnVcpu(vm_, v, idt[vec].handler, AccessCheck::Fetch, true, f)) {
          reportOnce(what + " is not mapped; not trapped");
          continue;
        }
        if (!ProbeInsn::decode(f.bytes, f.nbytes, idt[vec].handler, insn, why)) {
          reportOnce(what + ": " + why + "; not trapped");
          continue;
        }
        Handler& h = out[f.gpa];
        h.linear = idt[vec].handler;
        if (!plan_.exceptions[vec].empty()) h.vectors |= 1u << vec;
        h.userTraps |= userTraps & (1u << vec);
      }
    });
  }
  return out;
}

void GuestProbes::plantSite(Site& s) {
  if (vm_.breakpoints().plant(s.gpa, s.stop)) planted_.push_back(s.gpa);
}

// Inside stopWorld: the sites for the plan's code probes and `handlers`,
// planted before the old ones are removed so that an address in both keeps
// its int3 throughout.
GuestProbes::SiteMap GuestProbes::rebuild(const Handlers& handlers) {
  Breakpoints& bp = vm_.breakpoints();
  MemoryLayout& layout = vm_.memoryLayout();
  std::vector<uint64_t> oldPlanted = std::move(planted_);
  planted_.clear();
  SiteMap sites;
  auto site = [&](uint64_t gpa, uint64_t linear, const ProbeInsn* insn) -> Site* {
    auto& s = sites[gpa];
    if (s) return s.get();
    auto fresh = std::make_unique<Site>();
    fresh->gpa = gpa;
    fresh->stop = vm_.breakpointSupport().stop();
    size_t inPage = std::min<uint64_t>(15, kPage - gpa % kPage);
    bp.readOriginal(gpa, fresh->bytes, inPage);
    std::string why;
    if (insn) {
      fresh->insn = *insn;
    } else if (!ProbeInsn::decode(fresh->bytes, inPage, linear, fresh->insn, why)) {
      // A handler whose first instruction crosses a page: not trapped.
      reportOnce("guest probes: the handler at " + hexAddr(linear) + ": " + why);
      sites.erase(gpa);
      return nullptr;
    }
    // Only the instruction's own bytes: what follows may be data the
    // guest writes (current() compares these to notice a rewrite).
    fresh->len = std::min(inPage, fresh->insn.length());
    s = std::move(fresh);
    return s.get();
  };
  std::set<uint64_t> abandoned;
  {
    std::lock_guard l(reportMu_);
    abandoned = abandoned_;
  }
  for (const auto& c : plan_.code) {
    if (abandoned.count(c.gpa)) continue;  // cancelled: the guest's bytes stay
    Site* s = site(c.gpa, c.linear, &c.insn);
    for (uint32_t p : c.probes) s->probes.push_back({c.linear, p});
    for (uint32_t p : c.exitProbes) s->exitProbes.push_back({c.linear, p});
    s->cr3Probes.insert(s->cr3Probes.end(), c.cr3Probes.begin(), c.cr3Probes.end());
    s->userCode = s->userCode || c.user;
    plantSite(*s);
  }
  for (const auto& [gpa, h] : handlers) {
    Site* s = site(gpa, h.linear, nullptr);
    if (!s) continue;
    s->vectors |= h.vectors;
    s->userTraps |= h.userTraps;
    plantSite(*s);
  }
  uint64_t rewrites = bp.rewrites();
  for (auto& [gpa, s] : sites) {
    s->checkedAt.store(rewrites);
    s->dead.store(!bp.armed(gpa));
    if (layout.readOnlySupported()) layout.request(gpa / kPage, Mode::ReadOnly);
  }
  for (uint64_t gpa : oldPlanted) bp.remove(gpa);
  for (auto& [gpa, s] : sites_) layout.release(gpa / kPage, Mode::ReadOnly);
  SiteMap old = std::move(sites_);
  sites_ = std::move(sites);
  handlers_ = handlers;
  std::string error;
  if (!layout.apply(error)) reportOnce("guest probes: cannot protect guest pages: " + error);
  return old;
}

void GuestProbes::arm() {
  if (armed_) return;
  Handlers handlers = readHandlers();
  vm_.stopWorld([&] {
    for (const auto& w : plan_.watches) {
      Mode m = w.write ? Mode::ReadOnly : Mode::Unbacked;
      vm_.memoryLayout().request(w.gpa / kPage, m);
      pages_.push_back({w.gpa / kPage, m});
    }
    rebuild(handlers);
    vm_.setTraps(this);
    bool anySite = !sites_.empty() || plan_.needsUserTrap() || !handlers.empty();
    // Guest-debug exits only where int3s are the stops: a hlt needs none.
    bool int3s = vm_.breakpointSupport().mechanism != BreakpointMechanism::HaltExit;
    for (unsigned i = 0; i < vm_.numVcpus() && anySite && int3s; ++i)
      vm_.vcpu(i).setSoftwareBreakpoints(true);
    armed_ = true;
  });
}

// User-mode int3s go first, while the #BP handler stays trapped. On this
// host a vCPU can leave KVM_RUN (a kick) after its user code executed one
// of them and before the #BP reaches the guest's handler: the #BP is then
// still pending, invisible to user space, and is delivered at the next
// entry. Such a vCPU sits in user mode right after a planted address; so
// does one the monitor just returned there past an emulated instruction.
// Each of those must enter the guest once, which delivers a pending #BP
// to the still-trapped handler (it finds the int3 gone and returns to the
// user instruction), before the handler trap may go.
void GuestProbes::retireUserCode() {
  std::vector<uint8_t> suspect(vm_.numVcpus());
  std::vector<Gprs> parked(vm_.numVcpus());
  vm_.stopWorld(
      [&] {
        for (const auto& c : plan_.code) {
          if (!c.user) continue;
          if (auto it = sites_.find(c.gpa); it != sites_.end()) it->second->dead.store(true);
          auto p = std::find(planted_.begin(), planted_.end(), c.gpa);
          if (p == planted_.end()) continue;
          planted_.erase(p);
          vm_.breakpoints().remove(c.gpa);
        }
        retireReturnSites(true, nullptr);
      },
      [&](Vcpu& v) {
        suspect[v.index()] = atUserSite(v);
        if (const Gprs* g = v.gprs()) parked[v.index()] = *g;
      });
  for (unsigned i = 0; i < vm_.numVcpus(); ++i) {
    if (!suspect[i]) continue;
    Vcpu& v = vm_.vcpu(i);
    auto realExits = [&] { ExitCounts c = v.counts(); return c.total - c[ExitKind::Kick]; };
    uint64_t before = realExits();
    for (int tries = 0; tries < 500; ++tries) {
      bool moved = false;
      v.call([&] {
        const Gprs* g = v.gprs();
        moved = !g || g->rip != parked[i].rip || g->rsp != parked[i].rsp;
      });
      if (moved || realExits() != before || vm_.stopInfo().reason != StopReason::Running) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

// In user mode, right after one of the planted user-mode addresses (a #BP
// may be on its way) or at one (a #GP may be).
bool GuestProbes::atUserSite(Vcpu& v) {
  const Gprs* g = v.gprs();
  const SpecialRegs* s = v.sregs();
  if (!g || !s || (s->cs.selector & 3) != 3) return false;
  for (uint64_t at : {g->rip - 1, g->rip}) {
    uint64_t gpa;
    if (!v.translate(at, gpa)) continue;
    Site* site = siteAt(gpa);
    if (site && site->userCode) return true;
  }
  return false;
}

void GuestProbes::disarm() {
  if (!armed_) return;
  if (plan_.needsUserTrap()) retireUserCode();
  SiteMap old;
  auto finish = [&](Vcpu& v) { finishUserTrap(v, old); };
  vm_.stopWorld([&] {
    vm_.setTraps(nullptr);
    for (unsigned i = 0; i < vm_.numVcpus(); ++i) vm_.vcpu(i).setSoftwareBreakpoints(false);
    MemoryLayout& layout = vm_.memoryLayout();
    for (uint64_t gpa : planted_) vm_.breakpoints().remove(gpa);
    for (auto& [gpa, s] : sites_) layout.release(gpa / kPage, Mode::ReadOnly);
    for (auto& [page, mode] : pages_) layout.release(page, mode);
    planted_.clear();
    pages_.clear();
    old = std::move(sites_);
    sites_.clear();
    retireReturnSites(false, &old);
    handlers_.clear();
    std::string error;
    if (!layout.apply(error)) report_("guest probes: restoring the memory slots: " + error);
    armed_ = false;
  }, finish);
}

void GuestProbes::refresh() {
  if (!armed_) return;
  Handlers handlers = readHandlers();
  if (handlers == handlers_) return;
  SiteMap old;
  vm_.stopWorld([&] { old = rebuild(handlers); }, [&](Vcpu& v) { finishUserTrap(v, old); });
}

}  // namespace vmm
