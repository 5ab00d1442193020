// Guest memory built-ins: getguest, getguestphys, getgueststr, gueststack.
#include <cstring>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

namespace {

constexpr uint64_t kPage = 4096;

// Linear reads need a vCPU's page tables.
bool needVcpu(RtCtx* c, const Expr* e, RtResult& r) {
  if (c->owner->isVcpu()) return true;
  r = fail(c, ErrorCode::VcpuState, e, static_cast<uint64_t>(Global::CR3));
  return false;
}

// Reads up to `max` bytes of a NUL-terminated string, a page at a time so a
// string that ends before an unmapped page still reads. A chunk that cannot
// be read whole is read byte by byte up to its NUL (targets may map less
// than a page).
bool readString(Target& t, uint64_t addr, size_t max, char* out, uint64_t& badAddr) {
  size_t got = 0;
  while (got < max) {
    uint64_t a = addr + got;
    size_t chunk = std::min<uint64_t>(max - got, kPage - (a % kPage));
    if (!t.readLinear(a, out + got, chunk)) {
      for (size_t i = 0; i < chunk; ++i) {
        if (!t.readLinear(a + i, out + got + i, 1)) {
          badAddr = a + i;
          return false;
        }
        if (out[got + i] == '\0') return true;
      }
    }
    if (std::memchr(out + got, 0, chunk)) return true;
    got += chunk;
  }
  return true;
}

}  // namespace

RtResult getguest(RtCtx* c, const Expr* e, uint64_t addr, uint64_t nbytes) {
  VP_CHARGE(c, e, BuiltinId::Getguest);
  RtResult r;
  if (!needVcpu(c, e, r)) return r;
  uint64_t v = 0;
  if (!c->owner->target().readLinear(addr, &v, nbytes)) {
    return fail(c, ErrorCode::MemAccess, e, addr);
  }
  return {v, 0};
}

RtResult getguestphys(RtCtx* c, const Expr* e, uint64_t addr) {
  VP_CHARGE(c, e, BuiltinId::Getguestphys);
  uint64_t v = 0;
  if (!c->owner->target().readPhysical(addr, &v, 8)) {
    return fail(c, ErrorCode::MemAccess, e, addr);
  }
  return {v, 0};
}

RtResult getgueststr(RtCtx* c, const Expr* e, char* dest, uint64_t n,
                     uint64_t addr) {
  VP_CHARGE(c, e, BuiltinId::Getgueststr);
  RtResult r;
  if (!needVcpu(c, e, r)) return r;
  size_t max = n < kStrBytes - 1 ? n : kStrBytes - 1;
  char buf[kStrBytes] = {};
  uint64_t bad = 0;
  if (!readString(c->owner->target(), addr, max, buf, bad)) {
    return fail(c, ErrorCode::MemAccess, e, bad);
  }
  buf[max] = '\0';
  setstr(dest, buf);
  return {1, 0};
}

namespace {

// 64-bit code when EFER.LMA and CS.L (bit 13 of the access rights) are set.
bool longMode(RtCtx* c, const Expr* e, bool& ok) {
  Expr probe = *e;
  probe.index = static_cast<uint32_t>(Global::EFER);
  RtResult efer = global(c, &probe);
  probe.index = static_cast<uint32_t>(Global::CSAR);
  RtResult csar = global(c, &probe);
  ok = !efer.failed && !csar.failed;
  return ((efer.value >> 10) & 1) && ((csar.value >> 13) & 1);
}

void appendHex(std::string& s, uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "_0x%llx", static_cast<unsigned long long>(v));
  s += buf;
}

}  // namespace

RtResult gueststack(RtCtx* c, const Expr* e, char* dest, uint64_t depth) {
  VP_CHARGE(c, e, BuiltinId::Gueststack);
  RtResult r;
  if (!needVcpu(c, e, r)) return r;
  bool ok = true;
  bool wide = longMode(c, e, ok);
  Expr probe = *e;
  probe.index = static_cast<uint32_t>(Global::RIP);
  RtResult rip = global(c, &probe);
  probe.index = static_cast<uint32_t>(Global::RBP);
  RtResult rbp = global(c, &probe);
  if (!ok || rip.failed || rbp.failed) return {0, 1};
  size_t word = wide ? 8 : 4;
  std::string s = "GUEST";
  appendHex(s, rip.value);
  uint64_t fp = rbp.value;
  Target& t = c->owner->target();
  // Each frame: saved frame pointer at fp, return address above it. Frames
  // must move up the stack, which also bounds the walk.
  uint64_t frames = depth ? depth - 1 : 64;  // return addresses after RIP
  for (uint64_t n = 0; n < frames && n < 64 && fp; ++n) {
    uint64_t next = 0, ret = 0;
    if (!t.readLinear(fp, &next, word) || !t.readLinear(fp + word, &ret, word)) break;
    std::string more = s;
    appendHex(more, ret);
    if (more.size() > kStrBytes - 1) break;
    s.swap(more);
    if (next <= fp) break;
    fp = next;
  }
  setstr(dest, s.c_str());
  return {1, 0};
}

}  // namespace vp::rt
