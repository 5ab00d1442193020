// The JIT against the reference interpreter on thousands of random
// well-typed programs: same output, same runtime errors, byte for byte.
#include <catch2/catch.hpp>

#include <cstring>

#include "vp/tests/harness.h"
#include "vp/tests/random_program.h"

namespace {

void setupTarget(vp::SyntheticTarget& t) {
  std::vector<uint8_t> window(vptest::kMappedSize);
  for (size_t i = 0; i < window.size(); ++i) window[i] = static_cast<uint8_t>(i * 37 + 11);
  t.addMemory(vptest::kMappedBase, window);
  t.set(vp::Global::RAX, 0x1234567890abcdefULL);
}

void compare(uint64_t seed, bool v11) {
  vptest::RandomProgram p = vptest::randomProgram(seed, v11);
  auto jit = vptest::runScript(p.source, p.events, false, {}, setupTarget);
  auto interp = vptest::runScript(p.source, p.events, true, {}, setupTarget);
  INFO("seed " << seed << "\n" << p.source << "\n" << jit.diagnostics);
  REQUIRE(jit.diagnostics == interp.diagnostics);
  REQUIRE(jit.loaded);  // generated programs are well typed
  REQUIRE(jit.out == interp.out);
  REQUIRE(jit.err == interp.err);
}

}  // namespace

TEST_CASE("JIT and interpreter agree on random VP 1.0 programs", "[differential]") {
  for (uint64_t seed = 1; seed <= 1500; ++seed) compare(seed, false);
}

TEST_CASE("JIT and interpreter agree on random programs with VP 1.1 forms", "[differential]") {
  for (uint64_t seed = 100001; seed <= 101500; ++seed) compare(seed, true);
}
