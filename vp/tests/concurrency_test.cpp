// Aggregates and bags are global and must stay exact when probes fire on
// several threads at once; integer and string variables are per thread.
#include <catch2/catch.hpp>

#include <thread>

#include "vp/ordered_sink.h"
#include "vp/tests/harness.h"

namespace {

struct Loaded {
  vptest::CaptureSink sink;
  std::unique_ptr<vp::Script> script;
  explicit Loaded(const std::string& src, bool interpret = false) {
    std::vector<vp::Diagnostic> diags;
    vp::Options o;
    o.interpret = interpret;
    script = vp::Script::load(src, "t.vp", o, sink, diags);
    REQUIRE(script);
  }
};

// Fires probe 0 `n` times on each of `threads` threads, each with its own
// context and target.
void hammer(vp::Script& s, int threads, int n) {
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&s, t, n] {
      vp::SyntheticTarget target(t, true);
      auto ctx = s.newContext(target, t, true);
      for (int i = 0; i < n; ++i) {
        uint64_t args[1] = {static_cast<uint64_t>(i % 7)};
        s.fire(*ctx, 0, args);
      }
    });
  }
  for (auto& t : ts) t.join();
}

std::string fireOnce(vp::Script& s, size_t probe) {
  vp::SyntheticTarget target(0, true);
  auto ctx = s.newContext(target, 99, true);
  s.fire(*ctx, probe, {});
  ctx->flush();
  return "";
}

}  // namespace

TEST_CASE("aggregate counts are exact under concurrent fires", "[concurrency]") {
  for (bool interpret : {false, true}) {
    Loaded l("(defaggr a 1 1) (vprobe Guest_IRQ (aggr a (ARG0) (\"k\") 2))"
             "(vprobe VMM1Hz (logaggr a))", interpret);
    hammer(*l.script, 4, 7000);
    fireOnce(*l.script, 1);
    // 4 threads x 7000 fires over 7 keys: 4000 samples of 2 per key.
    for (int k = 0; k < 7; ++k) {
      std::string row = "a[0x" + std::to_string(k) + ", \"k\"] == avg 2 count 4000 min 2 max 2 latest 2\n";
      CHECK(l.sink.out.find(row) != std::string::npos);
    }
  }
}

TEST_CASE("bag pairs are neither lost nor duplicated under concurrent fires", "[concurrency]") {
  // Each fire inserts a pair under a key only its thread uses and removes
  // it again; a lost or stolen pair makes bagremove fail or return
  // another thread's value.
  Loaded l("(defbag b 64) (definteger bad)"
           "(vprobe Guest_IRQ (baginsert b VCPUID ARG0)"
           "  (cond ((!= (bagremove b VCPUID) ARG0) (setint bad (+ bad 1))))"
           "  (cond (bad (printf \"lost on %d\\n\" VCPUID))))");
  hammer(*l.script, 4, 20000);
  CHECK(l.sink.out.empty());
  CHECK(l.sink.err.empty());
}

TEST_CASE("integer and string variables are per thread", "[concurrency]") {
  Loaded l("(definteger n) (defstring s \"start\")"
           "(vprobe Guest_IRQ (setint n (+ n 1)) (sprintf s \"%d\" n))"
           "(vprobe VMM1Hz (printf \"%d %s\\n\" n s))");
  vp::SyntheticTarget t0(0, true), t1(1, true);
  auto c0 = l.script->newContext(t0, 0, true);
  auto c1 = l.script->newContext(t1, 1, true);
  for (int i = 0; i < 3; ++i) l.script->fire(*c0, 0, {});
  l.script->fire(*c1, 0, {});
  l.script->fire(*c0, 1, {});
  l.script->fire(*c1, 1, {});
  CHECK(l.sink.out == "3 3\n1 1\n");
}

TEST_CASE("shared integers are shared and atomic", "[concurrency]") {
  Loaded l("(defshared hits pervm) (vprobe Guest_IRQ (fetchadd hits 1))"
           "(vprobe VMM1Hz (printf \"%d\\n\" hits))");
  hammer(*l.script, 4, 10000);
  fireOnce(*l.script, 1);
  CHECK(l.sink.out == "40000\n");
}

TEST_CASE("output lines of concurrent threads never interleave", "[concurrency]") {
  Loaded l("(vprobe Guest_IRQ (printf \"thread %d \" VCPUID) (printf \"says %d\\n\" ARG0))");
  hammer(*l.script, 4, 3000);
  size_t lines = 0, pos = 0;
  std::string& out = l.sink.out;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    std::string line = out.substr(pos, nl - pos);
    CHECK(line.rfind("thread ", 0) == 0);
    CHECK(line.find(" says ") != std::string::npos);
    CHECK(line.find("thread", 1) == std::string::npos);
    pos = nl + 1;
    ++lines;
  }
  CHECK(lines == 12000);
}

TEST_CASE("OrderedSink releases entries in TSC order", "[output]") {
  vp::OrderedSink sink;
  sink.output(30, "c\n");
  sink.output(10, "a\n");
  sink.error(20, "b\n");
  sink.output(40, "d\n");
  auto first = sink.take(30);
  REQUIRE(first.size() == 3);
  CHECK(first[0].text == "a\n");
  CHECK(first[1].text == "b\n");
  CHECK(first[1].isError);
  CHECK(first[2].text == "c\n");
  auto rest = sink.take();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].text == "d\n");
}

// take() merges the threads' buffers, each already in TSC order: equal
// TSCs come out in buffer order (the thread that printed first), each
// buffer's own order kept.
TEST_CASE("OrderedSink merges the threads' buffers stably by TSC", "[output]") {
  vp::OrderedSink sink;
  auto print = [&](std::vector<std::pair<uint64_t, std::string>> lines) {
    std::thread([&] {
      for (auto& [tsc, text] : lines) sink.output(tsc, text);
    }).join();
  };
  print({{1, "a1\n"}, {3, "a3\n"}, {5, "a5\n"}, {5, "a5'\n"}});
  print({{2, "b2\n"}, {3, "b3\n"}, {4, "b4\n"}, {5, "b5\n"}});
  print({{0, "c0\n"}, {6, "c6\n"}});
  std::string got;
  for (auto& e : sink.take()) got += e.text;
  CHECK(got == "c0\na1\nb2\na3\nb3\nb4\na5\na5'\nb5\nc6\n");
}
