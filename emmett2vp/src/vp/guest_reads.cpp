#include "emmett2vp/src/vp/guest_reads.h"

namespace emmett {

namespace {

constexpr uint64_t kPageMask = 4095;

uint64_t lowBytesMask(unsigned n) { return (uint64_t{1} << (8 * n)) - 1; }

// The 8 bytes at addr, keeping the low n (little-endian guest).
SExpr readAt(SExpr addr, unsigned n) {
  return SExpr::call("&", {SExpr::call("getguest", {std::move(addr)}), SExpr::hex(lowBytesMask(n))});
}

// addr - back, folding constants: (+ p 12) - 4 is (+ p 8).
SExpr minus(SExpr addr, uint64_t back) {
  uint64_t v = 0;
  if (addr.isNumber(v)) return SExpr::num(v - back);
  if (addr.isList("+") && addr.items.size() == 3 && addr.items[2].isNumber(v)) {
    if (v == back) return addr.items[1];
    if (v < back) return SExpr::call("-", {addr.items[1], SExpr::num(back - v)});
    addr.items[2] = SExpr::num(v - back);
    return addr;
  }
  return SExpr::call("-", {std::move(addr), SExpr::num(back)});
}

// The 8 bytes ending with the n at addr, shifted down to them.
SExpr readEndingAt(SExpr addr, unsigned n) {
  uint64_t back = 8 - n;
  SExpr from = minus(std::move(addr), back);
  return SExpr::call(">>", {SExpr::call("getguest", {std::move(from)}), SExpr::num(8 * back)});
}

// A script variable (not a literal, not an all-capitals built-in, whose
// every use may fetch a register group): cheap to read more than once.
bool isScriptVariable(const SExpr& e) {
  if (e.kind != SExpr::Kind::Atom || e.atom.empty() || e.atom[0] == '"') return false;
  if ((e.atom[0] >= '0' && e.atom[0] <= '9') || e.atom[0] == '-' || e.atom[0] == '+') return false;
  for (char c : e.atom)
    if (c >= 'a' && c <= 'z') return true;
  return false;
}

// A script variable, or one plus a constant: cheaper to repeat than to
// keep in the temporary.
bool isCheap(const SExpr& e) {
  uint64_t v = 0;
  if (isScriptVariable(e)) return true;
  return e.isList("+") && e.items.size() == 3 && isScriptVariable(e.items[1]) && e.items[2].isNumber(v);
}

}  // namespace

SExpr GuestReadSpeller::spell(const SExpr& e) {
  if (e.kind == SExpr::Kind::Atom) return e;
  if (e.kind == SExpr::Kind::GuestRead) {
    SExpr r = read(e);
    r.loc = e.loc;
    return r;
  }
  SExpr out = SExpr::list({});
  out.loc = e.loc;
  out.items.reserve(e.items.size());
  for (const auto& i : e.items) out.items.push_back(spell(i));
  return out;
}

SExpr GuestReadSpeller::read(const SExpr& e) {
  SExpr addr = spell(e.items[0]);
  unsigned n = e.readSize;
  if (n == 8) return SExpr::call("getguest", {std::move(addr)});
  SExpr value = version_ >= vp::Version{1, 1} ? SExpr::call("getguest", {std::move(addr), SExpr::num(n)})
                                              : narrow10(std::move(addr), n);
  if (!e.readSigned) return value;
  // Sign extension without a branch: (x ^ s) - s with s the sign bit.
  uint64_t sign = uint64_t{1} << (8 * n - 1);
  return SExpr::call("-", {SExpr::call("^", {std::move(value), SExpr::hex(sign)}), SExpr::hex(sign)});
}

SExpr GuestReadSpeller::narrow10(SExpr addr, unsigned n) {
  uint64_t a = 0;
  uint64_t lastStart = (kPageMask + 1) - 8;  // the last offset 8 bytes fit from
  if (addr.isNumber(a)) return (a & kPageMask) <= lastStart ? readAt(addr, n) : readEndingAt(addr, n);
  bool temp = !isCheap(addr);
  SExpr at = temp ? SExpr::sym(kAddrTemp) : addr;
  usesAddrTemp_ = usesAddrTemp_ || temp;
  SExpr fits = SExpr::call("<=", {SExpr::call("&", {at, SExpr::num(kPageMask)}), SExpr::num(lastStart)});
  SExpr choice = SExpr::call("cond", {SExpr::list({std::move(fits), readAt(at, n)}),
                                      SExpr::list({SExpr::num(1), readEndingAt(at, n)})});
  if (!temp) return choice;
  return SExpr::call("do", {SExpr::call("setint", {at, std::move(addr)}), std::move(choice)});
}

}  // namespace emmett
