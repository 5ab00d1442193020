// flamegraph/folded_stacks.h, symbolizer.h, stack_collector.h: stack
// aggregates as logaggr prints them, folded root first with the guest's
// symbols.
#include <catch2/catch.hpp>

#include "flamegraph/folded_stacks.h"
#include "flamegraph/stack_collector.h"
#include "flamegraph/symbolizer.h"

using flamegraph::FoldedStacks;
using flamegraph::StackCollector;
using flamegraph::Symbolizer;
using Addresses = std::vector<uint64_t>;

namespace {

// The demo guest's layout (guests/demo/demo.syms), shortened.
const char* kSyms =
    "0000000000400000 T user_table\n"
    "0000000000400700 t compute_for_a_second\n"
    "0000000000400f00 T cruncher_main\n"
    "0000000000400fb0 T compute_main\n"
    "ffffffff80100000 T idle_loop\n";

Symbolizer demoSymbols() {
  vp::GuestSymbols syms;
  std::string error;
  REQUIRE(vp::GuestSymbols::parse(kSyms, "demo.syms", syms, error));
  return Symbolizer(syms);
}

const char* kProfile =
    "cruncher: 123 iterations in 1 s\n"
    "aggr: samples (0 integer keys) (2 string keys)\n"
    "samples[\"cruncher\", \"GUEST_0x400740_0x400f3a_0x0\"] == avg 1 count 812 min 1 max 1 latest 1\n"
    "samples[\"cruncher\", \"GUEST_0x400f10_0x0\"] == avg 1 count 3 min 1 max 1 latest 1\n"
    "samples[\"idle\", \"GUEST_0xffffffff80100005\"] == avg 1 count 400 min 1 max 1 latest 1\n"
    "samples[\"compute\", \"GUEST_0x400710_0x400fb0\"] == avg 1 count 5 min 1 max 1 latest 1\n"
    "samples[\"a;b\", \"GUEST_0x10_0x900000\"] == avg 1 count 1 min 1 max 1 latest 1\n"
    "bye\n";

std::string foldedFrom(const std::string& output, size_t piece) {
  StackCollector c;
  for (size_t i = 0; i < output.size(); i += piece) c.feed(std::string_view(output).substr(i, piece));
  c.finish();
  return flamegraph::foldedText(c.folded(demoSymbols()));
}

}  // namespace

TEST_CASE("gueststack values parse into their addresses, RIP first", "[folded]") {
  Addresses a;
  REQUIRE(flamegraph::parseGuestStack("GUEST_0x400740_0x400f3a_0x0", a));
  CHECK(a == Addresses{0x400740, 0x400f3a, 0});
  REQUIRE(flamegraph::parseGuestStack("GUEST_0xffffffff80100005", a));
  CHECK(a == Addresses{0xffffffff80100005});
  CHECK_FALSE(flamegraph::parseGuestStack("GUEST", a));
  CHECK_FALSE(flamegraph::parseGuestStack("GUEST_0x10_", a));
  CHECK_FALSE(flamegraph::parseGuestStack("GUEST_0x10_zz", a));
  CHECK_FALSE(flamegraph::parseGuestStack("GUEST_0x10 ", a));
  CHECK_FALSE(flamegraph::parseGuestStack("cruncher", a));
  CHECK_FALSE(flamegraph::parseGuestStack("GUEST_0x10000000000000000", a));  // 65 bits
}

TEST_CASE("addresses are named by the symbol at or below them", "[folded]") {
  Symbolizer s = demoSymbols();
  CHECK(s.name(0x400740, false) == "compute_for_a_second");
  CHECK(s.name(0x400f00, false) == "cruncher_main");
  // A return address to the first byte of compute_main is a call at the
  // end of cruncher_main.
  CHECK(s.name(0x400fb0, true) == "cruncher_main");
  CHECK(s.name(0x400fb0, false) == "compute_main");
  CHECK(s.name(0x10, false) == "0x10");          // below every symbol
  CHECK(s.name(0x900000, false) == "0x900000");  // far past the last one below
  CHECK(Symbolizer().name(0x400740, false) == "0x400740");
  // Root first; the zero return address of a thread's first frame dropped.
  CHECK(s.frames({0x400740, 0x400f3a, 0}) == std::vector<std::string>{"cruncher_main", "compute_for_a_second"});
}

TEST_CASE("a stack aggregate folds root first, other keys as root frames, counted", "[folded]") {
  const std::string expected =
      "a_b;0x900000;0x10 1\n"
      "compute;cruncher_main;compute_for_a_second 5\n"
      "cruncher;cruncher_main 3\n"
      "cruncher;cruncher_main;compute_for_a_second 812\n"
      "idle;idle_loop 400\n";
  CHECK(foldedFrom(kProfile, 1 << 20) == expected);
  CHECK(foldedFrom(kProfile, 7) == expected);  // output arrives in pieces
  CHECK(foldedFrom(kProfile, 1) == expected);
}

TEST_CASE("integer keys become hex root frames; rows without a stack are [unknown]", "[folded]") {
  std::string out =
      "aggr: s (1 integer key) (1 string key)\n"
      "s[0x1, \"GUEST_0x400740\"] == avg 1 count 2 min 1 max 1 latest 1\n"
      "s[0x0, \"\"] == avg 1 count 7 min 1 max 1 latest 1";  // last line without '\n'
  CHECK(foldedFrom(out, 1000) == "0x0;[unknown] 7\n0x1;compute_for_a_second 2\n");
}

TEST_CASE("an aggregate printed twice counts once, as its last print", "[folded]") {
  std::string row = "st[\"GUEST_0x400740\"] == avg 1 count ";
  std::string out = "aggr: st (0 integer keys) (1 string key)\n" + row + "5 min 1 max 1 latest 1\n" +
                    "aggr: st (0 integer keys) (1 string key)\n" + row + "9 min 1 max 1 latest 1\n";
  CHECK(foldedFrom(out, 1000) == "compute_for_a_second 9\n");
}

TEST_CASE("aggregates without stacks, and text that only looks like logaggr, are left out", "[folded]") {
  StackCollector c;
  c.feed("aggr: exits (1 integer key) (0 string keys)\n"
         "exits[0x1e] == avg 1 count 70 min 1 max 1 latest 1\n"
         "aggr: names (0 integer keys) (1 string key)\n"
         "names[\"cruncher\"] == avg 1 count 4 min 1 max 1 latest 1\n"
         "aggr: st (0 integer keys) (1 string key)\n"
         "other[\"GUEST_0x400740\"] == avg 1 count 5 min 1 max 1 latest 1\n"
         "aggr: st (0 integer keys) (1 string key) extra\n"
         "st[\"GUEST_0x400740\"] == avg 1 count 5 min 1 max 1 latest 1\n"
         "aggr: st (1 integer key) (1 string key)\n"
         "st[\"GUEST_0x400740\"] == avg 1 count 5 min 1 max 1 latest 1\n");
  c.finish();
  CHECK(c.stackAggregates().empty());
  CHECK(c.folded(demoSymbols()).empty());
}

TEST_CASE("frame names are made safe for a folded line", "[folded]") {
  CHECK(flamegraph::frameName("a;b\nc\r") == "a_b_c_");
  CHECK(flamegraph::frameName("") == "?");
  CHECK(flamegraph::frameName("ok name") == "ok name");
}

TEST_CASE("folded text reads back as written", "[folded]") {
  FoldedStacks stacks{{"main;work", 10}, {"main;idle loop", 3}, {"x", 1}};
  std::string text = flamegraph::foldedText(stacks);
  CHECK(text == "main;idle loop 3\nmain;work 10\nx 1\n");
  FoldedStacks back;
  std::string error;
  REQUIRE(flamegraph::parseFolded(text + "main;work 5\r\n\n", back, error));
  CHECK(back == FoldedStacks{{"main;work", 15}, {"main;idle loop", 3}, {"x", 1}});
  CHECK_FALSE(flamegraph::parseFolded("a;b 1\na;b\n", back, error));
  CHECK(error == "line 2: expected 'frame;frame;... COUNT'");
  CHECK_FALSE(flamegraph::parseFolded("a;b x1\n", back, error));
  CHECK_FALSE(flamegraph::parseFolded(" 4\n", back, error));
}
