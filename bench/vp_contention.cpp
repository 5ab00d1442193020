// Probe fires per second with 1, 2 and all of the machine's threads firing
// the same loaded script at once, as the vCPU threads of a VM do: each
// thread its own Context (its VP variables, its aggregate shards), all of
// them sharing the script's bags and one OrderedSink (per-thread buffers,
// drained every 20 ms by a flusher thread, as the VM's is). The JIT and the
// interpreter are measured in the same run, trials interleaved, the best
// trial of each kept.
#include <malloc.h>
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "vp/ordered_sink.h"
#include "vp/synthetic_target.h"
#include "vp/vp.h"

namespace {

using Clock = std::chrono::steady_clock;

// The monitor's targets read the host TSC, which orders the sink's lines.
class TscTarget : public vp::SyntheticTarget {
 public:
  uint64_t tsc() override { return __rdtsc(); }
};

struct Case {
  const char* name;
  std::string source;
  int firesPerThread;
  // Many short trials: on a shared machine the best of them is one where
  // no thread was preempted, which long trials rarely are.
  int trials;
};

// Drains the sink every 20 ms while a trial runs, as the VM's flusher.
class Flusher {
 public:
  explicit Flusher(vp::OrderedSink& sink) : sink_(sink), thread_([this] { run(); }) {}
  ~Flusher() {
    stop_ = true;
    thread_.join();
    sink_.take();
  }

 private:
  void run() {
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      sink_.take();
    }
  }
  vp::OrderedSink& sink_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::unique_ptr<vp::Script> loadOrDie(const std::string& source, bool interpret,
                                      vp::Sink& sink) {
  std::vector<vp::Diagnostic> diags;
  vp::Options opts;
  opts.interpret = interpret;
  opts.bagBytes = 1 << 20;
  auto script = vp::Script::load(source, "contention.vp", opts, sink, diags);
  if (!script) {
    for (const auto& d : diags) fprintf(stderr, "%s", d.render(source).c_str());
    std::exit(1);
  }
  return script;
}

// What one trial measured: fires per second of wall time, all threads
// together, and CPU time per fire (the threads' own CPU clocks: spinning
// on a lock counts, being preempted by other work on the host does not).
struct Rate {
  double firesPerSecond = 0;
  double cpuNsPerFire = 1e30;
  void keepBest(const Rate& r) {
    firesPerSecond = std::max(firesPerSecond, r.firesPerSecond);
    cpuNsPerFire = std::min(cpuNsPerFire, r.cpuNsPerFire);
  }
};

double threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Fires per second of `threads` threads each firing `c` firesPerThread
// times on a freshly loaded script (so a trial of misses starts with empty
// aggregates). Counts the fires that failed: there must be none.
Rate measure(const Case& c, bool interpret, unsigned threads) {
  // Room for every line a trial prints, so printf measures printing, not
  // dropping (the flusher drains it anyway).
  vp::OrderedSink sink(size_t(c.firesPerThread) * 160 + (1 << 20));
  auto script = loadOrDie(c.source, interpret, sink);
  std::vector<std::unique_ptr<TscTarget>> targets;
  std::vector<std::unique_ptr<vp::Context>> ctxs;
  for (unsigned t = 0; t < threads; ++t) {
    targets.push_back(std::make_unique<TscTarget>());
    ctxs.push_back(script->newContext(*targets.back(), int(t), true));
  }
  Flusher flusher(sink);
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::atomic<uint64_t> failed{0};
  std::vector<Clock::time_point> ends(threads);
  std::vector<double> cpu(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready++;
      // Yielding: on a busy host the threads not yet started need the cores.
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      uint64_t bad = 0;
      double cpu0 = threadCpuNs();
      for (int i = 0; i < c.firesPerThread; ++i)
        bad += script->fire(*ctxs[t], 0, {}) != vp::FireStatus::Ok;
      ends[t] = Clock::now();
      cpu[t] = threadCpuNs() - cpu0;
      failed += bad;
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  auto t0 = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  if (failed) {
    fprintf(stderr, "%s: %llu fires failed\n", c.name, (unsigned long long)failed.load());
    std::exit(1);
  }
  double s = std::chrono::duration<double>(*std::max_element(ends.begin(), ends.end()) - t0).count();
  double fires = double(threads) * c.firesPerThread;
  double cpuNs = 0;
  for (double n : cpu) cpuNs += n;
  return {fires / s, cpuNs / fires};
}

std::vector<unsigned> threadCounts() {
  unsigned all = std::max(1u, std::thread::hardware_concurrency());
  std::set<unsigned> counts{1, std::min(2u, all), all};
  return {counts.begin(), counts.end()};
}

std::string probe(const std::string& prelude, const std::string& body) {
  return prelude + "\n(vprobe VMM1Hz " + body + ")\n";
}

}  // namespace

// `vp_contention [WORD]`: only the operations whose name contains WORD
// (to profile one).
int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  // As in vp_ops: freed memory stays in the heap, so the engine measured
  // first does not pay the page faults of growing aggregates alone.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  const std::string ints = "(definteger x 7) (definteger y 3) (definteger z)";
  // Misses: every fire a new key of the thread's own shard, at most
  // AggrTable::kMaxBuckets (65536) per thread and trial.
  std::vector<Case> cases = {
      {"empty probe", probe(ints, ""), 1000000, 21},
      {"aggregate hit", probe(ints + "(defaggr a 1 0)", "(aggr a (1) () x)"), 500000, 21},
      {"aggregate miss", probe(ints + "(defaggr a 1 0)", "(aggr a ((setint z (+ z 1))) () x)"),
       60000, 31},
      {"bag insert + remove", probe(ints + "(defbag b 64)", "(baginsert b x y) (bagremove b x)"),
       300000, 21},
      {"printf \"%d %s\\n\"", probe(ints, "(printf \"%d %s\\n\" x \"abc\")"), 100000, 21},
  };
  unsigned all = std::max(1u, std::thread::hardware_concurrency());
  printf("VP engine under contention: probe fires per second (millions), all threads\n");
  printf("firing one loaded script at once; best of 21 trials (31 for the misses), JIT\n");
  printf("and interpreter interleaved; %u hardware threads\n\n", all);
  printf("%-22s %8s %8s %8s %7s %9s %7s %7s %7s\n", "", "", "fires/s", "(M)", "", "",
         "CPU ns", "/fire", "");
  printf("%-22s %8s %8s %8s %7s %9s %7s %7s %7s\n", "operation", "threads", "JIT", "interp",
         "ratio", "JIT x 1T", "JIT", "interp", "ratio");
  for (const auto& c : cases) {
    if (std::string(c.name).find(only) == std::string::npos) continue;
    double jit1 = 0;
    for (unsigned n : threadCounts()) {
      Rate jit, interp;
      for (int t = 0; t < c.trials; ++t) {
        jit.keepBest(measure(c, false, n));
        interp.keepBest(measure(c, true, n));
      }
      if (n == 1) jit1 = jit.firesPerSecond;
      std::string label = std::to_string(n) + (n == all && n > 1 ? " (all)" : "");
      printf("%-22s %8s %8.2f %8.2f %6.2fx %8.2fx %7.1f %7.1f %6.2fx\n", c.name, label.c_str(),
             jit.firesPerSecond / 1e6, interp.firesPerSecond / 1e6,
             jit.firesPerSecond / interp.firesPerSecond, jit.firesPerSecond / jit1,
             jit.cpuNsPerFire, interp.cpuNsPerFire, interp.cpuNsPerFire / jit.cpuNsPerFire);
    }
  }
  printf("\nratio: JIT against interpreter (target >= 1 everywhere); JIT x 1T: the JIT's\n");
  printf("total against its one-thread rate (N threads on N free cores scale to N at\n");
  printf("best); CPU ns/fire: the firing threads' CPU time per fire, which other work on\n");
  printf("a shared host does not inflate\n");
  return 0;
}
