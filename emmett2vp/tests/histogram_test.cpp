// Histograms in Emmett: `a[k] <- hist(v)` / `lhist(v, min, max, step)`
// lowered to a VP 1.3 defhist, the errors a user can make, and the
// buckets the compiled script fills when the engine runs it.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"
#include "vp/synthetic_host.h"

using namespace emmett::test;

namespace {

// What the compiled script prints when the engine runs `events` through it.
class Capture : public vp::Sink {
 public:
  void output(uint64_t, std::string_view t) override { out += t; }
  void error(uint64_t, std::string_view l) override { err += l; }
  std::string out, err;
};

std::string run(const std::string& src, const std::vector<std::string>& events) {
  emmett::Result r = compile(src);
  if (!r.ok) return "COMPILE: " + r.messages;
  Capture sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(r.vp, "t.vp", {}, sink, diags);
  if (!script) return "LOAD: " + (diags.empty() ? std::string() : diags[0].message);
  vp::SyntheticTarget vcpu(0, true), vmx(0, false);
  {
    vp::SyntheticHost host(*script, vcpu, vmx, 0);
    host.start();
    for (const auto& text : events) {
      vp::Event e;
      std::string why;
      REQUIRE(vp::parseEvent(text, e, why));
      host.fire(e);
    }
    host.finish();
  }
  return sink.out + sink.err;
}

// The range labels of the bucket lines of `text`, with their counts.
std::vector<std::string> rows(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    at = end + 1;
    size_t bar = line.find(" |");
    if (bar == std::string::npos) continue;
    std::string head = line.substr(0, bar);
    size_t countAt = head.find_last_of(' ');
    std::string label = head.substr(0, head.find_last_not_of(' ', countAt) + 1);
    out.push_back(label + " " + head.substr(countAt + 1));
  }
  return out;
}

using Rows = std::vector<std::string>;

}  // namespace

TEST_CASE("hist: lowered to a defhist with the value as the last integer key, VP 1.3") {
  std::string src = "Guest_IRQ { lat[ARG1, \"x\"] <- hist(ARG0 * 2); }\nVMXUnload { logaggr(lat); }\n";
  emmett::Result r = compile(src);
  REQUIRE(r.ok);
  CHECK(r.version.str() == "1.3");
  CHECK(contains(r.vp, "(defhist lat 2 1)"));
  CHECK(contains(r.vp, "(aggr lat (ARG1 (* ARG0 2)) (\"x\") 1)"));
  CHECK(contains(r.vp, "(logaggr lat)"));
  CHECK(contains(vpBody("aggr d[0][0];\nVMM1Hz { d <- lquantize(ARG0, -10, 10, 5); }\n"),
                 "(defhist d 1 0 -10 10 5)"));
  CHECK(contains(vpBody("VMM1Hz { s <- quantize(ARG0); }\n"), "(defhist s 1 0)"));
}

TEST_CASE("hist: an older target engine is an error naming the histogram") {
  emmett::Options o;
  o.target = {1, 2};
  CHECK_THAT(compile("VMM1Hz { lat <- hist(ARG0); }\n", o).messages,
             Catch::Contains("the histogram 'lat'") && Catch::Contains("1.3"));
}

TEST_CASE("hist: the errors a script can make, at their place") {
  CHECK(firstMessage("VMM1Hz { logint(hist(1)); }\n") ==
        "t.emt:1:17: error: 'hist()' has no value: it is what an aggregate takes, as in 'a[key] <- hist(value)'");
  CHECK(firstMessage("VMM1Hz { a[1] <- hist(ARG0); a[2]++; }\n") ==
        "t.emt:1:31: error: aggregate 'a' is a histogram (first filled at line 1); add to it with "
        "'a[...] <- hist(value)' or keep other samples in another aggregate");
  CHECK(firstMessage("VMM1Hz { a[2] <- 5; a[1] <- hist(ARG0); }\n") ==
        "t.emt:1:29: error: aggregate 'a' takes plain samples (first filled at line 1); a histogram like this "
        "needs an aggregate of its own");
  CHECK(firstMessage("VMM1Hz { a <- hist(ARG0); a <- lhist(ARG0, 0, 10, 1); }\n") ==
        "t.emt:1:32: error: aggregate 'a' is a histogram of other buckets (first filled at line 1); a histogram "
        "like this needs an aggregate of its own");
  CHECK(firstMessage("VMM1Hz { a <- lhist(ARG0, 0, 100, 7); }\n") ==
        "t.emt:1:15: error: bad lhist(value, 0, 100, 7): max - min must be a multiple of the step");
  CHECK(firstMessage("VMM1Hz { a <- lhist(ARG0, 0, 1001, 1); }\n") ==
        "t.emt:1:15: error: bad lhist(value, 0, 1001, 1): more than 1000 buckets between the minimum and the maximum");
  CHECK(firstMessage("VMM1Hz { a <- lhist(ARG0, ARG1, 10, 1); }\n") ==
        "t.emt:1:27: error: the minimum, maximum and step of lhist() must be constants");
  CHECK(firstMessage("bag b[4]; VMM1Hz { b[1] <- hist(2); }\n") ==
        "t.emt:1:28: error: 'hist()' adds to an aggregate, not to bag 'b'");
  CHECK(firstMessage("VMM1Hz { a[1,2,3,4,5,6,7,8] <- hist(2); }\n") ==
        "t.emt:1:32: error: histogram 'a' has at most 7 integer keys (its bucket is one more)");
  CHECK(firstMessage("void f(aggr p) { p[1] <- hist(2); }\naggr q[1];\nVMM1Hz { f(q); }\n") ==
        "t.emt:1:26: error: 'hist()' must add to an aggregate by its name, not through parameter 'p'");
}

TEST_CASE("hist: the engine puts 0, 1, 2^k - 1, 2^k, negatives and the extremes in their buckets") {
  std::string src = "Guest_IRQ { h <- hist(ARG0); }\nVMXUnload { logaggr(h); }\n";
  std::string out = run(src, {"Guest_IRQ:0", "Guest_IRQ:1", "Guest_IRQ:2", "Guest_IRQ:3", "Guest_IRQ:4",
                              "Guest_IRQ:1023", "Guest_IRQ:1024", "Guest_IRQ:0x7fffffffffffffff",
                              "Guest_IRQ:0x4000000000000000", "Guest_IRQ:0xffffffffffffffff",
                              "Guest_IRQ:0x8000000000000000"});
  Rows r = rows(out);
  REQUIRE(r.size() == 65);  // (..., 0), [0], [1], then 2^1 ... 2^62
  CHECK(r[0] == "(..., 0) 2");
  CHECK(r[1] == "[0] 1");
  CHECK(r[2] == "[1] 1");
  CHECK(r[3] == "[2, 4) 2");
  CHECK(r[4] == "[4, 8) 1");
  CHECK(r[11] == "[512, 1K) 1");
  CHECK(r[12] == "[1K, 2K) 1");
  CHECK(r[13] == "[2K, 4K) 0");
  CHECK(r[64] == "[4E, 8E) 2");
  CHECK(out.rfind("h:\n", 0) == 0);
}

TEST_CASE("hist: lhist's buckets below, inside and above its range, keyed") {
  std::string src = "Guest_IRQ { d[ARG1] <- lhist(ARG0, -100, 100, 50); }\nVMXUnload { logaggr(d); }\n";
  std::string out = run(src, {"Guest_IRQ:0x8000000000000000,7", "Guest_IRQ:0xffffffffffffff9b,7",
                              "Guest_IRQ:0xffffffffffffff9c,7", "Guest_IRQ:49,7", "Guest_IRQ:50,7",
                              "Guest_IRQ:99,7", "Guest_IRQ:100,7", "Guest_IRQ:0x7fffffffffffffff,7",
                              "Guest_IRQ:0,8"});
  CHECK(rows(out) == Rows{"(..., -100) 2", "[-100, -50) 1", "[-50, 0) 0", "[0, 50) 1", "[50, 100) 2",
                          "[100, ...) 2", "[0, 50) 1"});
  CHECK(contains(out, "d[7]:\n"));
  CHECK(contains(out, "\nd[8]:\n"));
}
