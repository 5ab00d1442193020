// Fuzzing: random bytes and mutated valid programs through EPP, the parser
// and the checks must never crash or hang (run under `make SAN=1` too).
#include <catch2/catch.hpp>
#include <chrono>
#include <random>

#include "emmett2vp/tests/test_util.h"

namespace {

const char* kSeeds[] = {
    "int exittsc;\naggr lats[1];\nVMM:HV_Exit { exittsc = TSC; }\nVMM:HV_Resume { if (exittsc > 0) { lat = TSC - exittsc; lats[VMCS_EXIT_REASON] <- lat; } }\nVMM:VMMUnload { printa(lats); }\n",
    "#define N 3\n#if N > 2\nint f(int n) { if (n == 0) { return 0; } else { return n * n + f(n - 1); } }\n#endif\nVMM1Hz { printf(\"%d\\n\", f(N)); }\n",
    "memmodel guest64;\nstruct S { int a; char name[16]; struct S *next; };\nbag b[8];\nVMM1Hz { struct S *p = (struct S *)RBX; try { b[p->a] <- 1; foreach (k, v) in b { logint(k); } } catch (MemAccessError) { } }\n",
    "aggr a[1][1];\npervm int c;\nGUEST:0x1000(int x) { a[(string)x, x]++; fetchadd(c, 1); while (x) { x2 = x; break; } }\n",
    "typedef struct P { @0x54 lastIntIdx; } P;\nVMM:TIMER:10msec { P *p = (P *)RSP; s = sizeof(P) ? \"a\" : \"b\"; logstr(s); }\n",
};

const char kAlphabet[] = "(){}[];,.:<>-=+*/&|!~^%?\"'#\\ \n\tabcxyzINTVMM0123456789_@$";

std::string mutate(std::string s, std::mt19937& rng) {
  int n = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < n && !s.empty(); ++i) {
    size_t pos = rng() % s.size();
    switch (rng() % 4) {
      case 0: s.erase(pos, 1 + rng() % 4); break;
      case 1: s.insert(pos, 1, kAlphabet[rng() % (sizeof kAlphabet - 1)]); break;
      case 2: s[pos] = static_cast<char>(rng() % 256); break;
      case 3: s.insert(pos, s.substr(rng() % s.size(), rng() % 16)); break;
    }
  }
  return s;
}

// Returns the compile time; a failure here is a crash (the test dies) or a
// hang (the time check).
double run(const std::string& src) {
  auto t0 = std::chrono::steady_clock::now();
  emmett::Result r = emmett::test::compile(src);
  (void)r;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("fuzz: random bytes") {
  std::mt19937 rng(1234);
  double worst = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string s(rng() % 400, '\0');
    for (char& c : s) c = (rng() % 3) ? kAlphabet[rng() % (sizeof kAlphabet - 1)] : static_cast<char>(rng() % 256);
    worst = std::max(worst, run(s));
  }
  CHECK(worst < 1.0);
}

TEST_CASE("fuzz: mutated valid programs") {
  std::mt19937 rng(99);
  double worst = 0;
  int compiled = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = mutate(kSeeds[i % (sizeof kSeeds / sizeof kSeeds[0])], rng);
    auto t0 = std::chrono::steady_clock::now();
    emmett::Result r = emmett::test::compile(s);
    worst = std::max(worst, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (r.ok) ++compiled;
    else CHECK_FALSE(r.messages.empty());  // a failure always says why
  }
  CHECK(worst < 1.0);
  CHECK(compiled > 0);  // some mutants stay valid and reach lowering
}

TEST_CASE("fuzz: the unmutated seeds compile") {
  for (const char* s : kSeeds) {
    emmett::Result r = emmett::test::compile(s);
    INFO(r.messages);
    CHECK(r.ok);
  }
}
