// The VP built-ins that interpret guest memory, on guest memory chosen by
// the fuzzer: `gueststack` walks frame pointers through it, the `offat*`
// built-ins decode it as x86 code (with Zydis), `getgueststr` and
// `getguest` read strings and integers out of it. Guest memory is hostile:
// whatever it holds, the JIT and the reference interpreter must agree byte
// for byte and neither may crash or read outside what the target maps.
//
// Input: the first 72 bytes give eight registers (RIP, RSP, RBP, RAX, RBX,
// RCX, RDX, RSI, little-endian) and the mode: EFER from the low half of
// the ninth word, CS's access rights from the high half (EFER.LMA with
// CS.L: 64-bit frames for gueststack); the rest, up to 4 KiB, is the guest
// memory mapped at 0x1000 (everything else is unmapped). Registers are
// used as they are, so they may point into the window, near its edges or
// nowhere.
//
// The script is fixed, so each engine loads it once per process and runs
// it per input on fresh targets and contexts. It keeps nothing in itself
// (no aggregate, histogram, bag or shared variable; its one string lives
// in the contexts), so an input's result depends on that input alone.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "vp/tests/harness.h"

namespace {

constexpr uint64_t kWindow = 0x1000;
constexpr size_t kRegBytes = 72, kMaxMemory = 4096;

// Every guest-reading built-in, at addresses the registers give, and at
// fixed places in the window (its start, just before its end).
// One probe per built-in: a runtime error ends only its own probe.
const char* const kScript = R"((defstring s)
(vprobe VMM1Hz (gueststack s) (printf "stack %s\n" s))
(vprobe VMM1Hz (printf "ret %d\n" (offatret RIP)))
(vprobe VMM1Hz (printf "ret %d\n" (offatret 0x1000)))
(vprobe VMM1Hz (printf "seg %d\n" (offatseg RAX)))
(vprobe VMM1Hz (printf "cpy %d\n" (offatstrcpy RIP RBX)))
(vprobe VMM1Hz (printf "cpy %d\n" (offatstrncpy 0x1040 RCX)))
(vprobe VMM1Hz (getgueststr s 255 RSI) (printf "str %s\n" s))
(vprobe VMM1Hz (getgueststr s RDX) (printf "str %s\n" s))
(vprobe VMM1Hz (printf "int %x %x\n" (getguest RSP) (getguest 0x1ff8)))
(vprobe VMM1Hz (printf "phys %x\n" (getguestphys RBP)))
)";

struct Guest {
  uint64_t regs[9] = {};  // the eight below, then the mode word
  std::vector<uint8_t> memory;
};

Guest decode(const uint8_t* data, size_t size) {
  Guest g;
  size_t n = size < kRegBytes ? size : kRegBytes;
  std::memcpy(g.regs, data, n);
  if (size > kRegBytes) {
    size_t m = size - kRegBytes;
    if (m > kMaxMemory) m = kMaxMemory;
    g.memory.assign(data + kRegBytes, data + kRegBytes + m);
  }
  return g;
}

vptest::LoadedScript& loaded(bool interpret) {
  static vptest::LoadedScript jit(kScript, false), interp(kScript, true);
  vptest::LoadedScript& s = interpret ? interp : jit;
  if (!s.load().loaded) {
    std::fprintf(stderr, "the fixed script does not load:\n%s", s.load().diagnostics.c_str());
    std::abort();
  }
  return s;
}

vptest::RunResult run(const Guest& g, bool interpret) {
  auto setup = [&](vp::SyntheticTarget& t) {
    if (!g.memory.empty()) t.addMemory(kWindow, g.memory);
    const vp::Global regs[8] = {vp::Global::RIP, vp::Global::RSP, vp::Global::RBP,
                                vp::Global::RAX, vp::Global::RBX, vp::Global::RCX,
                                vp::Global::RDX, vp::Global::RSI};
    for (int i = 0; i < 8; ++i) t.set(regs[i], g.regs[i]);
    t.set(vp::Global::EFER, g.regs[8] & 0xffffffff);
    t.set(vp::Global::CSAR, g.regs[8] >> 32);
  };
  return loaded(interpret).run({"VMM1Hz"}, setup);
}

[[noreturn]] void mismatch(const char* what, const std::string& jit,
                           const std::string& interp) {
  std::fprintf(stderr, "JIT and interpreter differ in %s\n--- JIT\n%s\n--- interpreter\n%s\n",
               what, jit.c_str(), interp.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Guest g = decode(data, size);
  auto jit = run(g, false);
  auto interp = run(g, true);
  if (jit.out != interp.out) mismatch("output", jit.out, interp.out);
  if (jit.err != interp.err) mismatch("runtime errors", jit.err, interp.err);
  return 0;
}
