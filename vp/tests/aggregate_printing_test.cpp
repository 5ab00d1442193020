// vp/aggregate_printing.h: aggregates a script never prints are shown when
// it is unloaded.
#include <catch2/catch.hpp>

#include "vp/aggregate_printing.h"
#include "vp/tests/harness.h"

using Names = std::vector<std::string>;

TEST_CASE("aggregates named by printa or logaggr anywhere count as printed", "[aggrprint]") {
  std::string src =
      "(defaggr a 1 0) (defaggr b 0 1) (defaggr c 1 1)\n"
      "(defun show () (logaggr b))\n"
      "(vprobe VMM1Hz (aggr a (1) () 1) (aggr c (2) (\"x\") 1))\n"
      "(vprobe VMMUnload (show))\n";
  CHECK(vp::unprintedAggregates(src) == Names{"a", "c"});
  CHECK(vp::unprintedAggregates("(defaggr a 1 0) (vprobe VMXUnload (printa a))").empty());
  CHECK(vp::unprintedAggregates("(defaggr a 1 0) (vprobe VMXUnload (printf \"(logaggr a)\"))") ==
        Names{"a"});
  CHECK(vp::unprintedAggregates("(defaggr a 1 0) (vprobe").empty());  // does not parse
}

TEST_CASE("the appended unload probe prints the unprinted aggregates after the script's own",
          "[aggrprint]") {
  std::string src =
      "(defaggr hits 1 0) (defaggr shown 1 0)\n"
      "(vprobe VMM1Hz (aggr hits (ARG0) () 1) (aggr shown (1) () 1))\n"
      "(vprobe VMXUnload (printf \"bye\\n\") (logaggr shown))";
  std::string full = vp::withUnloadPrinting(src);
  REQUIRE(full.compare(0, src.size(), src) == 0);  // positions in the script unchanged
  auto r = vptest::runScript(full, {"VMM1Hz:7", "VMM1Hz:7"}, false);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "bye\n"
        "aggr: shown (1 integer key) (0 string keys)\n"
        "shown[0x1] == avg 1 count 2 min 1 max 1 latest 1\n"
        "aggr: hits (1 integer key) (0 string keys)\n"
        "hits[0x7] == avg 1 count 2 min 1 max 1 latest 1\n");
}

TEST_CASE("nothing is appended when all is printed or there is no room for a probe",
          "[aggrprint]") {
  std::string printed = "(defaggr a 1 0) (vprobe VMXUnload (logaggr a))";
  CHECK(vp::withUnloadPrinting(printed) == printed);
  std::string full = "(defaggr a 1 0)";
  for (int i = 0; i < 32; ++i) full += " (vprobe VMM1Hz (aggr a (1) () 1))";
  CHECK(vp::withUnloadPrinting(full) == full);
}
