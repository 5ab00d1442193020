// Histogram aggregates (defhist, VP 1.3): bucket boundaries, the bar chart
// text, and logaggr of a histogram in a running script.
#include <catch2/catch.hpp>

#include "vp/aggregate_printing.h"
#include "vp/histogram.h"
#include "vp/histogram_print.h"
#include "vp/tests/harness.h"

using vp::HistBucket;
using vp::HistKind;
using vp::HistShape;

namespace {

constexpr int64_t kTop = int64_t{1} << 62;

HistShape linear(int64_t min, int64_t max, int64_t step) {
  return {HistKind::Linear, min, max, step};
}

HistBucket bucket(int64_t lo, const HistShape& s, uint64_t count) {
  HistBucket b = vp::histBucketAt(lo, s);
  b.count = count;
  return b;
}

}  // namespace

TEST_CASE("power-of-two buckets: 0, 1, each 2^k - 1 and 2^k, negatives, the extremes", "[hist]") {
  CHECK(vp::pow2Bucket(0) == 0);
  CHECK(vp::pow2Bucket(1) == 1);
  CHECK(vp::pow2Bucket(2) == 2);
  CHECK(vp::pow2Bucket(3) == 2);
  for (int k = 2; k <= 62; ++k) {
    INFO("k = " << k);
    int64_t p = int64_t{1} << k;
    CHECK(vp::pow2Bucket(p - 1) == p / 2);
    CHECK(vp::pow2Bucket(p) == p);
    CHECK(vp::pow2Bucket(p + 1) == p);
  }
  CHECK(vp::pow2Bucket(INT64_MAX) == kTop);
  CHECK(vp::pow2Bucket(-1) == INT64_MIN);
  CHECK(vp::pow2Bucket(INT64_MIN) == INT64_MIN);
}

TEST_CASE("linear buckets: below the minimum, the steps, at and above the maximum", "[hist]") {
  HistShape s = linear(-20, 30, 10);
  CHECK(vp::linearBucket(INT64_MIN, s) == INT64_MIN);
  CHECK(vp::linearBucket(-21, s) == INT64_MIN);
  CHECK(vp::linearBucket(-20, s) == -20);
  CHECK(vp::linearBucket(-11, s) == -20);
  CHECK(vp::linearBucket(-10, s) == -10);
  CHECK(vp::linearBucket(-1, s) == -10);
  CHECK(vp::linearBucket(0, s) == 0);
  CHECK(vp::linearBucket(29, s) == 20);
  CHECK(vp::linearBucket(30, s) == 30);
  CHECK(vp::linearBucket(INT64_MAX, s) == 30);
  // The whole range: the distance from min is taken without overflow.
  int64_t step = int64_t{1} << 54;  // 1024 steps span 2^64: too many; 512 span 2^63
  HistShape wide = linear(INT64_MIN, 0, step);
  CHECK(vp::linearShapeError(INT64_MIN, 0, step).empty());
  CHECK(vp::linearBucket(INT64_MIN, wide) == INT64_MIN);
  CHECK(vp::linearBucket(-1, wide) == -step);
  CHECK(vp::linearBucket(INT64_MIN + step, wide) == INT64_MIN + step);
  HistShape top = linear(0, INT64_MAX - (INT64_MAX % 1000), INT64_MAX / 1000);
  CHECK(vp::linearShapeError(top.min, top.max, top.step).empty());
  CHECK(vp::linearBucket(INT64_MAX, top) == top.max);
  CHECK(vp::linearBucket(top.max - 1, top) == top.max - top.step);
}

TEST_CASE("a linear shape needs min < max, a positive step dividing the span, <= 1000 buckets",
          "[hist]") {
  CHECK(vp::linearShapeError(0, 100, 10).empty());
  CHECK(vp::linearShapeError(-5, 5, 1).empty());
  CHECK(vp::linearShapeError(0, 1000, 1).empty());
  CHECK(vp::linearShapeError(0, 1001, 1) == "more than 1000 buckets between the minimum and the maximum");
  CHECK(vp::linearShapeError(0, 100, 0) == "the step must be positive");
  CHECK(vp::linearShapeError(0, 100, -10) == "the step must be positive");
  CHECK(vp::linearShapeError(100, 100, 1) == "the minimum must be below the maximum");
  CHECK(vp::linearShapeError(0, 100, 7) == "max - min must be a multiple of the step");
  CHECK(vp::linearShapeError(INT64_MIN, INT64_MAX, 1) ==
        "more than 1000 buckets between the minimum and the maximum");
}

TEST_CASE("each bucket's inclusive bounds", "[hist]") {
  HistShape p2;
  CHECK(vp::histBucketAt(INT64_MIN, p2) == HistBucket{INT64_MIN, -1, true, false, 0});
  CHECK(vp::histBucketAt(0, p2) == HistBucket{0, 0, false, false, 0});
  CHECK(vp::histBucketAt(1, p2) == HistBucket{1, 1, false, false, 0});
  CHECK(vp::histBucketAt(2, p2) == HistBucket{2, 3, false, false, 0});
  CHECK(vp::histBucketAt(1024, p2) == HistBucket{1024, 2047, false, false, 0});
  CHECK(vp::histBucketAt(kTop, p2) == HistBucket{kTop, INT64_MAX, false, false, 0});
  HistShape lin = linear(-20, 30, 10);
  CHECK(vp::histBucketAt(INT64_MIN, lin) == HistBucket{INT64_MIN, -21, true, false, 0});
  CHECK(vp::histBucketAt(-20, lin) == HistBucket{-20, -11, false, false, 0});
  CHECK(vp::histBucketAt(20, lin) == HistBucket{20, 29, false, false, 0});
  CHECK(vp::histBucketAt(30, lin) == HistBucket{30, INT64_MAX, false, true, 0});
}

TEST_CASE("the text of a power-of-two histogram: bpftrace's layout", "[hist]") {
  HistShape p2;
  vp::Histogram one{{uint64_t{30}, std::string("io")},
                    {bucket(INT64_MIN, p2, 1), bucket(0, p2, 2), bucket(1, p2, 0), bucket(2, p2, 4),
                     bucket(4, p2, 8)}};
  vp::Histogram big{{uint64_t{31}, std::string("")}, {bucket(1 << 20, p2, 3), bucket(kTop, p2, 1)}};
  CHECK(vp::renderHistogramText({"lat", p2, {one, big}}) ==
        "lat[30, \"io\"]:\n"
        "(..., 0)               1 |@@@@@@                                              |\n"
        "[0]                    2 |@@@@@@@@@@@@@                                       |\n"
        "[1]                    0 |                                                    |\n"
        "[2, 4)                 4 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
        "[4, 8)                 8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
        "\n"
        "lat[31, \"\"]:\n"
        "[1M, 2M)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
        "[4E, 8E)               1 |@@@@@@@@@@@@@@@@@                                   |\n"
        "\n");
  CHECK(vp::renderHistogramText({"none", p2, {}}) == "none: (empty)\n");
}

TEST_CASE("the text of a linear histogram: open ends, K and M labels, long counts", "[hist]") {
  HistShape s = linear(-2048, 2048, 1024);
  vp::HistogramPrint h{"d", s, {{{}, {}}}};
  for (int64_t lo : {INT64_MIN, int64_t{-2048}, int64_t{-1024}, int64_t{0}, int64_t{1024}, int64_t{2048}})
    h.histograms[0].buckets.push_back(bucket(lo, s, lo == 0 ? 123456789012 : 1));
  CHECK(vp::renderHistogramText(h) ==
        "d:\n"
        "(..., -2K)             1 |                                                    |\n"
        "[-2K, -1K)             1 |                                                    |\n"
        "[-1K, 0)               1 |                                                    |\n"
        "[0, 1K)         123456789012 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
        "[1K, 2K)               1 |                                                    |\n"
        "[2K, ...)              1 |                                                    |\n"
        "\n");
  HistShape odd = linear(-5, 3 << 20, 1);
  CHECK(vp::histBucketLine(bucket(-5, odd, 2), odd, 4) ==
        "[-5, -4)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n");
  CHECK(vp::histBucketLine(vp::histBucketAt(3 << 20, odd), odd, 4).starts_with("[3M, ...)  "));
}

namespace {

const char* kScript =
    "(version \"1.3\")\n"
    "(defhist lat 2 0)\n"
    "(defhist d 1 1 -10 20 10)\n"
    "(vprobe Guest_IRQ (aggr lat (ARG1 ARG0) () 1) (aggr d (ARG0) (\"x\") 1))\n"
    "(vprobe VMXUnload (logaggr lat) (logaggr d))\n";

const char* kExpected =
    "lat[1]:\n"
    "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
    "[0]                    0 |                                                    |\n"
    "[1]                    0 |                                                    |\n"
    "[2, 4)                 0 |                                                    |\n"
    "[4, 8)                 0 |                                                    |\n"
    "[8, 16)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
    "\n"
    "lat[2]:\n"
    "[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
    "\n"
    "lat[3]:\n"
    "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
    "\n"
    "d[\"x\"]:\n"
    "(..., -10)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
    "[-10, 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
    "[0, 10)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
    "[10, 20)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
    "\n";

}  // namespace

TEST_CASE("aggr puts a histogram's sample in its bucket; logaggr draws it (JIT and interpreter)",
          "[hist]") {
  for (bool interpret : {false, true}) {
    INFO("interpret = " << interpret);
    // lat[1]: -1, 8, 15; lat[2]: 0; lat[3]: -11. d: the same values, -11 below its minimum.
    auto r = vptest::runScript(kScript,
                               {"Guest_IRQ:0xffffffffffffffff,1", "Guest_IRQ:8,1", "Guest_IRQ:15,1",
                                "Guest_IRQ:0,2", "Guest_IRQ:0xfffffffffffffff5,3"},
                               interpret);
    REQUIRE(r.loaded);
    CHECK(r.err.empty());
    CHECK(r.out == kExpected);
  }
}

TEST_CASE("defhist is VP 1.3, and its shape is checked at load", "[hist]") {
  CHECK_THAT(vptest::diagnosticsOf("(version \"1.2\") (defhist h 1 0) (vprobe VMM1Hz 0)"),
             Catch::Contains("'defhist' needs VP 1.3; this script declares version 1.2"));
  CHECK_THAT(vptest::diagnosticsOf("(defhist h 0 1) (vprobe VMM1Hz 0)"),
             Catch::Contains("a histogram has 1 to 8 integer keys"));
  CHECK_THAT(vptest::diagnosticsOf("(defhist h 1 0 0 100 7) (vprobe VMM1Hz 0)"),
             Catch::Contains("1:16: error: bad linear histogram: max - min must be a multiple of the step"));
  CHECK_THAT(vptest::diagnosticsOf("(defhist h 1 0 0 100) (vprobe VMM1Hz 0)"),
             Catch::Contains("defhist takes a name"));
  CHECK(vptest::diagnosticsOf("(defhist h 1 0 -100 100 10) (vprobe VMM1Hz (aggr h (5) () 1))").empty());
}

TEST_CASE("a histogram the script never prints is drawn when it is unloaded", "[hist]") {
  std::string src =
      "(defhist sizes 1 0)\n"
      "(vprobe Guest_IRQ (aggr sizes (ARG0) () 1))\n";
  auto r = vptest::runScript(vp::withUnloadPrinting(src), {"Guest_IRQ:3", "Guest_IRQ:2", "Guest_IRQ:4"});
  CHECK(r.err.empty());
  CHECK(r.out ==
        "sizes:\n"
        "[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
        "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
        "\n");
}

TEST_CASE("logaggr of a histogram outside load and unload stops where the budget does", "[hist]") {
  std::string src =
      "(defhist h 1 0 0 1000 1)\n"
      "(vprobe Guest_IRQ (aggr h (ARG0) () 1))\n"
      "(vprobe VMM1Hz (logaggr h))\n";
  auto r = vptest::runScript(src, {"Guest_IRQ:0", "Guest_IRQ:999", "VMM1Hz"});
  CHECK_THAT(r.err, Catch::Contains("BudgetError") || Catch::Contains("time budget"));
  size_t lines = std::count(r.out.begin(), r.out.end(), '\n');
  CHECK(lines > 10);
  CHECK(lines < 100);
  CHECK(r.out.starts_with("h:\n[0, 1)  "));
}
