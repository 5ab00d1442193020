// The bounded, per-thread output buffers: what a script prints beyond a
// thread's buffer is dropped in whole lines and counted per probe, the
// rest comes out intact and in time order, and threads keep their own
// bounds.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "vp/ordered_sink.h"
#include "vp/synthetic_target.h"
#include "vp/vp.h"

namespace {

constexpr size_t kLine = 20;  // "line NNNNNNNNNNNNNN\n"

std::string line(int i) {
  std::string s = "line " + std::to_string(i);
  s.resize(kLine - 1, '.');
  return s + "\n";
}

uint64_t dropped(const std::vector<vp::OrderedSink::Drop>& drops, const std::string& probe,
                 bool isError) {
  for (auto& d : drops)
    if (d.probe == probe && d.isError == isError) return d.lines;
  return 0;
}

}  // namespace

TEST_CASE("OrderedSink drops whole fires past its buffer and counts their lines", "[output]") {
  const size_t perEntry = kLine + vp::OrderedSink::kEntryOverhead;
  vp::OrderedSink sink(10 * perEntry);
  for (int i = 0; i < 25; ++i) sink.outputFrom(i, line(i), "VMM1Hz");
  // Two lines in one fire: dropped together, counted as two.
  sink.outputFrom(100, line(100) + line(101), "Out");
  sink.errorFrom(101, "t.vp:1:2: runtime error: x\n", "Out");
  auto kept = sink.take();
  REQUIRE(kept.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(kept[i].text == line(i));
  auto drops = sink.takeDrops();
  CHECK(dropped(drops, "VMM1Hz", false) == 15);
  CHECK(dropped(drops, "Out", false) == 2);
  CHECK(dropped(drops, "Out", true) == 1);
  CHECK(sink.takeDrops().empty());
  // Taken lines free their room.
  sink.outputFrom(200, line(200), "VMM1Hz");
  REQUIRE(sink.take().size() == 1);
  CHECK(sink.takeDrops().empty());
}

TEST_CASE("OrderedSink: each thread has its own bound, lines never mix", "[output]") {
  const size_t perEntry = kLine + vp::OrderedSink::kEntryOverhead;
  vp::OrderedSink sink(100 * perEntry);
  constexpr int kThreads = 4, kLines = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) sink.outputFrom(uint64_t(i) * kThreads + t, line(t), "p" + std::to_string(t));
    });
  for (auto& th : threads) th.join();
  auto kept = sink.take();
  auto drops = sink.takeDrops();
  // No reader ran: every thread kept exactly its buffer's worth.
  REQUIRE(kept.size() == kThreads * 100);
  for (int t = 0; t < kThreads; ++t) CHECK(dropped(drops, "p" + std::to_string(t), false) == kLines - 100);
  for (size_t i = 1; i < kept.size(); ++i) CHECK(kept[i - 1].tsc <= kept[i].tsc);
  for (auto& e : kept) CHECK(e.text.size() == kLine);
}

TEST_CASE("OrderedSink: a reader keeping up loses nothing", "[output]") {
  vp::OrderedSink sink(64 * 1024);
  constexpr int kLines = 20000;
  std::atomic<bool> done{false};
  size_t got = 0;
  uint64_t last = 0;
  bool ordered = true;
  std::thread reader([&] {
    while (!done) {
      for (auto& e : sink.take()) {
        ordered = ordered && e.tsc >= last;
        last = e.tsc;
        ++got;
      }
      std::this_thread::yield();
    }
  });
  // Paced so that the reader keeps up: at most half a buffer between takes.
  for (int i = 0; i < kLines; ++i) {
    sink.outputFrom(i, line(i), "VMM1Hz");
    if (i % 100 == 99) {
      while (got + 200 < size_t(i)) std::this_thread::yield();
    }
  }
  done = true;
  reader.join();
  got += sink.take().size();
  CHECK(got == kLines);
  CHECK(ordered);
  CHECK(sink.takeDrops().empty());
}

TEST_CASE("OrderedSink: the engine names the probe whose output it dropped", "[output]") {
  vp::OrderedSink sink(2048);
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(
      "(vprobe VMM1Hz (printf \"tick %d\\n\" 1))\n"
      "(vprobe Out (printf \"a fairly long line of output from Out %d\\n\" ARG0))",
      "t.vp", vp::Options{}, sink, diags);
  REQUIRE(script);
  vp::SyntheticTarget target(0, true);
  auto ctx = script->newContext(target, 0, true);
  for (int i = 0; i < 100; ++i) script->fire(*ctx, 1, {});
  auto kept = sink.take();
  auto drops = sink.takeDrops();
  REQUIRE(!kept.empty());
  CHECK(kept.size() < 100);
  CHECK(dropped(drops, "Out", false) == 100 - kept.size());
  for (auto& e : kept) CHECK(e.text.rfind("a fairly long line of output from Out ", 0) == 0);
}
