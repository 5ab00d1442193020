// Per-operation cost of the VP engine, JIT against the reference
// interpreter, measured in the same run. Each operation is unrolled K times
// in one probe body; its cost is (time of the probe - time of an empty
// probe) / K, the best of several trials.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "vp/synthetic_target.h"
#include "vp/vp.h"

namespace {

class NullSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view) override {}
  void error(uint64_t, std::string_view l) override {
    fprintf(stderr, "probe error: %.*s", static_cast<int>(l.size()), l.data());
  }
};

std::string repeat(const std::string& s, int k) {
  std::string out;
  for (int i = 0; i < k; ++i) out += s + "\n";
  return out;
}

struct Case {
  const char* name;
  std::string prelude;  // definitions
  std::string op;       // one operation, repeated K times in the probe
  int k;                // repetitions per fire
};

// Nanoseconds per fire of `body`, best of `trials`.
double nsPerFire(const std::string& source, bool interpret, int fires) {
  NullSink sink;
  std::vector<vp::Diagnostic> diags;
  vp::Options opts;
  opts.interpret = interpret;
  opts.maxCodeBytes = 65536;
  auto script = vp::Script::load(source, "bench.vp", opts, sink, diags);
  if (!script) {
    for (const auto& d : diags) fprintf(stderr, "%s", d.render(source).c_str());
    std::exit(1);
  }
  vp::SyntheticTarget target(0, true);
  target.set(vp::Global::RAX, 42);
  auto ctx = script->newContext(target, 0, true);
  double best = 1e30;
  for (int trial = 0; trial < 7; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < fires; ++i) script->fire(*ctx, 0, {});
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / fires);
  }
  return best;
}

std::string probe(const Case& c, int k) {
  return c.prelude + "\n(vprobe VMM1Hz\n" + repeat(c.op, k) + ")\n";
}

}  // namespace

int main() {
  const std::string ints = "(definteger x 7) (definteger y 3) (definteger z)";
  std::vector<Case> cases = {
      {"integer arithmetic (per operator)", ints,
       "(setint z (+ (* x y) (- (^ x y) (& (>> x 1) (| y (<< x 2))))))", 40},
      {"global read (RAX)", ints, "(setint z RAX)", 50},
      {"TSC read", ints, "(setint z TSC)", 50},
      {"aggregate update, hit", ints + "(defaggr a 1 0)", "(aggr a (1) () x)", 50},
      {"aggregate update, hit, 1 per fire", ints + "(defaggr a 1 0)", "(aggr a (1) () x)", 1},
      {"aggregate update, miss", ints + "(defaggr a 1 0)",
       "(aggr a ((setint z (+ z 1))) () x)", 50},
      {"bag insert + remove", ints + "(defbag b 64)", "(baginsert b x y) (bagremove b x)", 25},
      {"sprintf \"%d %s\"", ints + "(defstring s)", "(sprintf s \"%d %s\" x \"abc\")", 20},
      {"function call", ints + "(defun f (a) a)", "(setint z (f x))", 50},
  };
  // The operator count of the arithmetic case: 7 operators per line.
  const double arithOps = 7;
  // Freed memory stays in the heap. Otherwise a growing aggregate's
  // arrays, past glibc's mmap threshold, come from fresh zero pages at
  // each growth and go back to the kernel when freed: the engine measured
  // first paid those page faults (about 200-250 ns per miss here) and the
  // other reused the memory, which showed as a JIT ten times slower than
  // the interpreter on misses. Both now measure the update itself, on
  // memory the process already has.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  const int fires = 2000;
  printf("VP engine: cost per operation (ns), best of 7 trials of %d fires\n\n", fires);
  printf("%-36s %10s %12s %8s\n", "operation", "JIT", "interpreter", "ratio");
  std::string empty = ints + "\n(vprobe VMM1Hz)\n";
  double emptyJit = nsPerFire(empty, false, 200000);
  double emptyInterp = nsPerFire(empty, true, 200000);
  printf("%-36s %10.1f %12.1f %7.1fx\n", "empty probe fire", emptyJit, emptyInterp,
         emptyInterp / emptyJit);
  for (const auto& c : cases) {
    // Aggregate misses must not fill the aggregate: fewer fires there.
    int n = std::string(c.name).find("miss") != std::string::npos ? 50 : fires;
    double perOp = std::string(c.name).find("arithmetic") != std::string::npos ? arithOps : 1;
    auto measure = [&](bool interpret) {
      return (nsPerFire(probe(c, c.k), interpret, n) - (interpret ? emptyInterp : emptyJit)) /
             (c.k * perOp);
    };
    // Each engine twice, interleaved, the better kept: the first run grows
    // the heap into fresh pages (see mallopt above), whichever engine it is.
    double jit = measure(false), interp = measure(true);
    jit = std::min(jit, measure(false));
    interp = std::min(interp, measure(true));
    printf("%-36s %10.1f %12.1f %7.1fx\n", c.name, jit, interp, interp / jit);
  }
  printf("\ntargets: empty fire < 10 ns, aggregate hit < 40 ns, arithmetic JIT >= 20x\n");
  return 0;
}
