#include <catch2/catch.hpp>

#include <tao/pegtl/contrib/analyze.hpp>

#include "vp/src/grammar.h"
#include "vp/src/sexpr.h"

using vp::SExpr;

namespace {

std::vector<SExpr> parse(const std::string& src, std::vector<vp::Diagnostic>& out) {
  vp::Diagnostics d("t.vp", out);
  return vp::parseSExprs(src, d);
}

}  // namespace

TEST_CASE("the grammar has no rules that loop without consuming input", "[parser]") {
  CHECK(tao::pegtl::analyze<vp::grammar::file>() == 0);
}

TEST_CASE("literals of the reference parse to their values", "[parser]") {
  std::vector<vp::Diagnostic> diags;
  auto forms = parse("(x 63 0xffffffffc0 -65536 +54 0XFF -0x10)", diags);
  REQUIRE(diags.empty());
  const auto& items = forms.at(0).items;
  CHECK(items[1].value == 63);
  CHECK(items[2].value == 0xffffffffc0ULL);
  CHECK(items[3].value == static_cast<uint64_t>(-65536));
  CHECK(items[4].value == 54);
  CHECK(items[5].value == 255);
  CHECK(items[6].value == static_cast<uint64_t>(-16));
}

TEST_CASE("string escapes follow the reference", "[parser]") {
  std::vector<vp::Diagnostic> diags;
  auto forms = parse(R"((s "This is a \"string\"" "So's this\tover here\n" "\\. \."))", diags);
  REQUIRE(diags.empty());
  const auto& items = forms.at(0).items;
  CHECK(items[1].text == "This is a \"string\"");
  CHECK(items[2].text == "So's this\tover here\n");
  CHECK(items[3].text == "\\. .");  // unknown escapes drop the backslash
}

TEST_CASE("comments and names with punctuation", "[parser]") {
  std::vector<vp::Diagnostic> diags;
  auto forms = parse("; comment\n(setint tsc-start TSC) ; another\n(f GUEST:0x7c00 a->b)", diags);
  REQUIRE(diags.empty());
  REQUIRE(forms.size() == 2);
  CHECK(forms[0].items[1].text == "tsc-start");
  CHECK(forms[1].items[1].text == "GUEST:0x7c00");
  CHECK(forms[1].loc.line == 3);
}

TEST_CASE("syntax errors name the place to fix", "[parser]") {
  struct Case {
    const char* src;
    uint32_t line, col;
    const char* msg;
  } cases[] = {
      {"(a (b c)", 1, 1, "this '(' is never closed"},
      {"(a) )", 1, 5, "unexpected ')' without a matching '('"},
      {"(a \"abc)", 1, 4, "this string literal is never closed"},
      {"(a 12ab)", 1, 4, "malformed integer literal '12ab'"},
      {"(a 0x)", 1, 4, "malformed integer literal '0x'"},
      {"(a 18446744073709551616)", 1, 4, "integer literal '18446744073709551616' does not fit in 64 bits"},
  };
  for (const auto& c : cases) {
    std::vector<vp::Diagnostic> diags;
    parse(c.src, diags);
    INFO(c.src);
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].line == c.line);
    CHECK(diags[0].col == c.col);
    CHECK(diags[0].message == c.msg);
  }
}

TEST_CASE("deep nesting is refused, not a stack overflow", "[parser]") {
  std::vector<vp::Diagnostic> diags;
  parse(std::string(100000, '('), diags);
  REQUIRE(!diags.empty());
  CHECK(diags[0].message == "lists nested more than 200 deep");
}

TEST_CASE("a 256-byte string literal is refused", "[parser]") {
  std::vector<vp::Diagnostic> diags;
  parse("(a \"" + std::string(256, 'x') + "\")", diags);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "string literal is 256 bytes; strings hold at most 255");
}
