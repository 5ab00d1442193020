#include "vmm-engine/smm_stops.h"

#include <Zydis/Zydis.h>
#include <linux/kvm.h>

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/vcpu.h"
#include "vmm-engine/vm.h"

namespace vmm {

namespace {

constexpr uint64_t kEntryOffset = 0x8000;  // handler = SMBASE + 0x8000
constexpr uint64_t kSmramSize = 0x10000;   // SMBASE .. SMBASE + 64 KiB
// How far from the entry the rsm is looked for: a handler is short, and
// the decode runs at every SMI.
constexpr size_t kMaxScan = 1024;
constexpr uint8_t kHlt = 0xf4;

}  // namespace

std::optional<size_t> findRsm(const uint8_t* code, size_t len) {
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
  ZydisDecodedInstruction insn;
  for (size_t at = 0; at < len;) {
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, nullptr, code + at, len - at, &insn)))
      return std::nullopt;
    if (insn.mnemonic == ZYDIS_MNEMONIC_RSM) return at;
    at += insn.length;
  }
  return std::nullopt;
}

SmmStops::SmmStops(Vm& vm, Fire fire) : vm_(vm), fire_(std::move(fire)), cpus_(vm.numVcpus()) {}

// disarm() ran on every vCPU (VmmProbes::unload) or the VM never ran a
// script's SMI; what may still be planted goes back all the same.
SmmStops::~SmmStops() {
  std::lock_guard l(mu_);
  for (PerVcpu& c : cpus_) {
    restore(c.entry);
    restore(c.rsm);
  }
}

void SmmStops::onSmi(Vcpu& v) {
  PerVcpu& c = cpus_[v.index()];
  if (c.disarmed) return;
  clear(v, c);  // an SMI whose rsm was never seen (limits in the header)
  uint64_t smbase = 0;
  GuestMemory& mem = vm_.memory();
  // An SMI raised from SMM waits for the rsm: its stops would be taken
  // for this handler's.
  const bool* inSmm = v.inSmm();
  if (!inSmm || *inSmm || !v.smbase(smbase) || !mem.contains(smbase, kSmramSize)) {
    unprobed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint64_t entry = smbase + kEntryOffset;
  size_t scan = std::min<uint64_t>(kMaxScan, smbase + kSmramSize - entry);
  std::vector<uint8_t> code(scan);
  mem.read(entry, code.data(), scan);
  std::optional<size_t> rsm = findRsm(code.data(), scan);
  std::lock_guard l(mu_);
  if (busyElsewhere(v.index(), smbase, smbase + kSmramSize) || !plant(c.entry, entry)) {
    unprobed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (rsm) plant(c.rsm, entry + *rsm);
  c.state = State::AwaitEntry;
}

bool SmmStops::atStop(Vcpu& v) {
  PerVcpu& c = cpus_[v.index()];
  switch (c.state) {
    case State::Idle: return false;
    case State::Stepping: return v.kvmExitReason() == KVM_EXIT_DEBUG;
    case State::AwaitEntry:
    case State::InHandler: {
      const Stop& s = c.state == State::AwaitEntry ? c.entry : c.rsm;
      if (!stoppedAt(v, s)) return false;
      Gprs g = *v.gprs();  // stoppedAt() read them
      g.rip -= 1;
      return v.setGprs(g);
    }
  }
  return false;
}

// RIP is one past a planted hlt of `s`, in SMM (CS base + IP: the handler
// runs with paging off).
bool SmmStops::stoppedAt(Vcpu& v, const Stop& s) {
  if (!s.planted || v.kvmExitReason() != KVM_EXIT_HLT) return false;
  const bool* smm = v.inSmm();
  const Gprs* g = v.gprs();
  const SpecialRegs* sr = v.sregs();
  return smm && *smm && g && sr && sr->cs.base + g->rip - 1 == s.gpa;
}

void SmmStops::onStop(Vcpu& v) {
  PerVcpu& c = cpus_[v.index()];
  switch (c.state) {
    case State::Idle: return;
    case State::AwaitEntry: {
      {
        std::lock_guard l(mu_);
        restore(c.entry);
        c.state = c.rsm.planted ? State::InHandler : State::Idle;
      }
      fire_(v, Point::SmiPost);
      return;
    }
    case State::InHandler: {
      {
        std::lock_guard l(mu_);
        restore(c.rsm);
        c.state = State::Stepping;
      }
      fire_(v, Point::RsmPre);
      // Without the step no exit would mark the rsm's end: no RSMPost.
      if (!v.setSingleStep(true)) {
        c.state = State::Idle;
        unprobed_.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    case State::Stepping:
      v.setSingleStep(false);
      c.state = State::Idle;
      fire_(v, Point::RsmPost);
      return;
  }
}

void SmmStops::disarm(Vcpu& v) {
  PerVcpu& c = cpus_[v.index()];
  c.disarmed = true;
  clear(v, c);
}

void SmmStops::clear(Vcpu& v, PerVcpu& c) {
  if (c.state == State::Stepping) v.setSingleStep(false);
  std::lock_guard l(mu_);
  restore(c.entry);
  restore(c.rsm);
  c.state = State::Idle;
}

// Caller holds mu_.
bool SmmStops::plant(Stop& s, uint64_t gpa) {
  uint8_t b = 0;
  // A hlt over the guest's own hlt could not be told from it.
  if (!vm_.memory().read(gpa, &b, 1) || b == kHlt) return false;
  vm_.memory().write(gpa, &kHlt, 1);
  s = {gpa, b, true};
  return true;
}

// Caller holds mu_. A byte that no longer holds our hlt was rewritten by
// the guest (SMM code writing SMRAM is not trapped): it stays as written.
void SmmStops::restore(Stop& s) {
  if (!s.planted) return;
  uint8_t b = 0;
  if (vm_.memory().read(s.gpa, &b, 1) && b == kHlt) vm_.memory().write(s.gpa, &s.original, 1);
  s.planted = false;
}

// Caller holds mu_.
bool SmmStops::busyElsewhere(unsigned self, uint64_t lo, uint64_t hi) {
  for (unsigned i = 0; i < cpus_.size(); ++i) {
    if (i == self) continue;
    for (const Stop* s : {&cpus_[i].entry, &cpus_[i].rsm})
      if (s->planted && s->gpa >= lo && s->gpa < hi) return true;
  }
  return false;
}

}  // namespace vmm
