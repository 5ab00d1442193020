// No input crashes the engine: random bytes, and valid programs with
// random edits, go through load (and run when they load).
#include <catch2/catch.hpp>

#include <random>

#include "vp/tests/harness.h"
#include "vp/tests/random_program.h"

TEST_CASE("random bytes never crash the loader", "[fuzz]") {
  std::mt19937_64 rng(7);
  const std::string alphabet = "()\"\\; \n\tabcxyz0123456789-+xABCDEF:_*/%<>=!&|^~";
  for (int i = 0; i < 3000; ++i) {
    size_t n = rng() % 300;
    std::string src;
    for (size_t k = 0; k < n; ++k) {
      src.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                   : alphabet[rng() % alphabet.size()]);
    }
    vptest::diagnosticsOf(src);
  }
  SUCCEED("no crash");
}

TEST_CASE("edited valid programs load or are refused, and run safely", "[fuzz]") {
  std::mt19937_64 rng(11);
  size_t loaded = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    std::string src = vptest::randomProgram(seed, seed % 2).source;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      size_t at = rng() % src.size();
      switch (rng() % 4) {
        case 0: src.erase(at, 1 + rng() % 8); break;
        case 1: src.insert(at, 1, "()\" 0xa"[rng() % 7]); break;
        case 2: src[at] = static_cast<char>(rng() % 128); break;
        default: {  // swap two tokens' worth of text
          size_t other = rng() % src.size();
          std::swap(src[at], src[other]);
        }
      }
    }
    auto r = vptest::runScript(src, {"VMM1Hz", "Guest_IRQ:3", "VMX1Hz"});
    if (r.loaded) ++loaded;
    else CHECK(!r.diagnostics.empty());
  }
  INFO("loaded " << loaded << " of 1500 edited programs");
  CHECK(loaded > 0);
}
