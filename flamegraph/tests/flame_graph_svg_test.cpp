// flamegraph/flame_graph_svg.h: the SVG of a known profile, read back: its
// frames' names, widths, nesting, escaping, and that it is well formed.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include "flamegraph/flame_graph_svg.h"
#include "flamegraph/tests/xml_check.h"

using flamegraph::FoldedStacks;

namespace {

struct Frame {
  std::string title, text;
  uint64_t samples = 0;
  double x = 0, y = 0, width = 0;
};

// The frames as drawn: one <g class="f"> each.
std::vector<Frame> framesOf(const std::string& svg) {
  static const std::regex g(
      "<g class=\"f\" data-x=\"[0-9]+\" data-w=\"([0-9]+)\"><title>([^<]*)</title>"
      "<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\"[^>]*/>"
      "<text [^>]*>([^<]*)</text></g>");
  std::vector<Frame> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), g); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out.push_back({m[2], m[6], std::stoull(m[1]), std::stod(m[3]), std::stod(m[4]), std::stod(m[5])});
  }
  return out;
}

const Frame* titled(const std::vector<Frame>& frames, const std::string& prefix) {
  for (const auto& f : frames) {
    if (f.title.rfind(prefix + " (", 0) == 0) return &f;
  }
  return nullptr;
}

// Each frame's caller: the frame one row lower whose span holds it.
const Frame* callerOf(const std::vector<Frame>& frames, const Frame& f) {
  for (const auto& c : frames) {
    if (std::abs(c.y - (f.y + 16)) < 0.01 && c.x <= f.x + 0.01 && f.x + f.width <= c.x + c.width + 0.01)
      return &c;
  }
  return nullptr;
}

const FoldedStacks kProfile{{"main;work;crunch", 6}, {"main;work", 2}, {"main;idle", 2}, {"other", 10}};

}  // namespace

TEST_CASE("every frame of a known profile is drawn with its name and samples", "[svg]") {
  std::string svg = flamegraph::flameGraphSvg(kProfile);
  CHECK(xmlcheck::problems(svg).empty());
  auto frames = framesOf(svg);
  REQUIRE(frames.size() == 6);  // all, main, work, crunch, idle, other
  CHECK(titled(frames, "all")->title == "all (20 samples, 100.00%)");
  CHECK(titled(frames, "main")->title == "main (10 samples, 50.00%)");
  CHECK(titled(frames, "work")->title == "work (8 samples, 40.00%)");
  CHECK(titled(frames, "crunch")->title == "crunch (6 samples, 30.00%)");
  CHECK(titled(frames, "idle")->title == "idle (2 samples, 10.00%)");
  CHECK(titled(frames, "other")->text == "other");
}

TEST_CASE("a frame's width is its share of the samples", "[svg]") {
  flamegraph::SvgOptions o;
  o.width = 1000;
  auto frames = framesOf(flamegraph::flameGraphSvg(kProfile, o));
  const double plot = 1000 - 20;  // 10 pixels each side
  for (const auto& f : frames) CHECK(f.width == Approx(plot * double(f.samples) / 20).margin(0.01));
  CHECK(titled(frames, "crunch")->width == Approx(294).margin(0.01));
}

TEST_CASE("each frame stands on its caller, never wider than it", "[svg]") {
  FoldedStacks deep{{"a;b;c;d", 3}, {"a;b;e", 1}, {"a;f", 4}, {"g;b;c", 2}};
  auto frames = framesOf(flamegraph::flameGraphSvg(deep));
  REQUIRE(frames.size() == 10);  // all, a, b, c, d, e, f, g, and g's b and c
  for (const auto& f : frames) {
    if (f.title.rfind("all (", 0) == 0) continue;
    const Frame* caller = callerOf(frames, f);
    REQUIRE(caller);
    CHECK(f.width <= caller->width + 0.01);
  }
  CHECK(callerOf(frames, *titled(frames, "d"))->title.rfind("c (3 ", 0) == 0);
  CHECK(callerOf(frames, *titled(frames, "f"))->title.rfind("a (", 0) == 0);
}

TEST_CASE("names with <, > and & are escaped, and the document stays well formed", "[svg]") {
  FoldedStacks odd{{"std::vector<int>::push_back;a&b", 5}, {"\"quoted\";'single'", 5}};
  flamegraph::SvgOptions o;
  o.title = "profile <demo> & more";
  std::string svg = flamegraph::flameGraphSvg(odd, o);
  CHECK(xmlcheck::problems(svg).empty());
  CHECK(svg.find("std::vector&lt;int&gt;::push_back (5 samples") != std::string::npos);
  CHECK(svg.find("a&amp;b (5 samples") != std::string::npos);
  CHECK(svg.find("&quot;quoted&quot;") != std::string::npos);
  CHECK(svg.find("profile &lt;demo&gt; &amp; more") != std::string::npos);
  CHECK(svg.find("<int>") == std::string::npos);
}

TEST_CASE("the checker catches what a broken document looks like", "[svg]") {
  CHECK(xmlcheck::problems("<svg><g></svg>") != "");
  CHECK(xmlcheck::problems("<svg>a & b</svg>") != "");
  CHECK(xmlcheck::problems("<svg><text>a<b</text></svg>") != "");
  CHECK(xmlcheck::problems("<svg><script><![CDATA[ a < b ]]></script></svg>") == "");
}

TEST_CASE("names are cut to fit their frame, and frames too narrow to see are left out", "[svg]") {
  FoldedStacks p{{"a_function_with_a_rather_long_name", 10}, {"tiny", 1}, {"big", 100000}};
  auto frames = framesOf(flamegraph::flameGraphSvg(p));
  const Frame* longName = titled(frames, "a_function_with_a_rather_long_name");
  REQUIRE(longName);  // 0.12 pixels: drawn, too narrow for text
  CHECK(longName->text.empty());
  CHECK_FALSE(titled(frames, "tiny"));  // 0.01 pixels
  FoldedStacks two{{"a_function_with_a_rather_long_name", 1}, {"b", 9}};
  flamegraph::SvgOptions o;
  o.width = 1020;  // the first frame 100 pixels: 13 characters
  const Frame* cut = titled(framesOf(flamegraph::flameGraphSvg(two, o)), "a_function_with_a_rather_long_name");
  REQUIRE(cut);
  CHECK(cut->text == "a_function_..");
}

TEST_CASE("an empty profile says so", "[svg]") {
  std::string svg = flamegraph::flameGraphSvg({});
  CHECK(xmlcheck::problems(svg).empty());
  CHECK(svg.find("No samples") != std::string::npos);
  CHECK(framesOf(svg).empty());
}
