// Input of any shape must get a message, never a stack overflow: long
// left-associative chains (which the parser builds without recursing),
// else-if chains, and VP nested deeper than the engine accepts.
#include <catch2/catch.hpp>
#include <random>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// `first OP x OP x ...` with `n` operators, in a probe.
std::string chain(const std::string& op, int n, const std::string& first = "x") {
  return "int x; struct S { struct S *n; int v; }; struct S *p;\nVMM1Hz { x = " + first + repeat(op, n) + "; }\n";
}

const char* kTooDeep = "error: expression nested deeper than 500 levels";

}  // namespace

TEST_CASE("limits: a long chain of each binary operator is an error, not a crash") {
  for (const char* op : {" * x", " / x", " % x", " + x", " - x", " << x", " >> x", " < x", " <= x", " > x",
                         " >= x", " == x", " != x", " & x", " ^ x", " | x", " && x", " || x"}) {
    INFO(op);
    CHECK(contains(firstMessage(chain(op, 10000)), kTooDeep));
  }
}

TEST_CASE("limits: long comma, member, index and postfix chains are errors, not crashes") {
  CHECK(contains(firstMessage(chain(", 1", 10000, "1")), kTooDeep));
  CHECK(contains(firstMessage(chain("->n", 10000, "p")), kTooDeep));
  CHECK(contains(firstMessage(chain(".n->n", 10000, "(*p)")), kTooDeep));
  CHECK(contains(firstMessage(chain("[0]", 20000, "RIP")), kTooDeep));
  CHECK(contains(firstMessage(chain("++", 10000)), kTooDeep));
  CHECK(contains(firstMessage(chain("--", 10000)), kTooDeep));
}

TEST_CASE("limits: right-recursive chains stop at the parser's nesting limit") {
  const char* nesting = "error: nesting deeper than 200 levels";
  CHECK(contains(firstMessage(chain(" ? x : x", 10000)), nesting));
  CHECK(contains(firstMessage("int x; VMM1Hz { x = " + repeat("x = ", 10000) + "1; }\n"), nesting));
  CHECK(contains(firstMessage("int x; VMM1Hz { x = " + repeat("-", 10000) + "x; }\n"), nesting));
  CHECK(contains(firstMessage("int x; VMM1Hz { x = " + repeat("!", 10000) + "x; }\n"), nesting));
  CHECK(contains(firstMessage("int x; VMM1Hz { x = " + repeat("*&", 10000) + "x; }\n"), nesting));
}

TEST_CASE("limits: the error points at the operator past the limit") {
  // The chain is checked as it grows: the 500th `+` (at column 16 + 4 *
  // 499 of "VMM1Hz { x = x + x ...") makes it 501 levels deep.
  CHECK(firstMessage(chain(" + x", 2000)).rfind("t.emt:2:" + std::to_string(16 + 4 * 499) + ": " + kTooDeep, 0) == 0);
}

TEST_CASE("limits: chains within the limit compile; `+` chains become one flat VP form") {
  emmett::Result r = compile(chain(" + x", 490));
  INFO(r.messages);
  REQUIRE(r.ok);
  CHECK(contains(r.vp, "(setint x\n    (+\n      x\n      x\n"));
}

TEST_CASE("limits: VP deeper than the engine accepts is refused by the compiler") {
  // `<<` is not flattened: 300 of them would be 300 nested VP lists.
  std::string msg = firstMessage(chain(" << x", 300));
  CHECK(contains(msg, "error: this code lowers to VP nested more than 200 lists deep"));
  CHECK(compile(chain(" << x", 150)).ok);
  // Statements nest VP too: 150 blocks, each a loop, around a deep expression.
  std::string loops = "int x; VMM1Hz { " + repeat("while (x) ", 150) + "x = x" + repeat(" << x", 80) + "; }\n";
  CHECK(contains(firstMessage(loops), "error: this code lowers to VP nested more than 200 lists deep"));
}

TEST_CASE("limits: the deepest trees the parser accepts go through every pass") {
  // Near both limits at once: statements nested 190 deep around a 490-level
  // expression (refused only by the VP depth check, after every pass ran).
  std::string src = "int x; VMM1Hz { " + repeat("if (x) ", 190) + "x = x" + repeat(" << x", 490) + "; }\n";
  CHECK(contains(firstMessage(src), "lowers to VP nested more than 200"));
  // The longest else-if chain, with a deep expression in its last arm.
  std::string elif = "int x; VMM1Hz { if (x == 0) x = 1;";
  for (int i = 1; i < 990; ++i) elif += " else if (x == " + std::to_string(i) + ") x = 1;";
  elif += " else { x = x" + repeat(" + x", 490) + "; } }\n";
  emmett::Result r = compile(elif);
  INFO(r.messages.substr(0, 300));
  CHECK(r.ok);
}

namespace {

// A function returning the name of `n` from an `arms`-arm else-if chain.
std::string nameTable(int arms) {
  std::string s = "string name(int n) {\n  if (n == 0) { return \"n0\"; }\n";
  for (int i = 1; i < arms; ++i)
    s += "  else if (n == " + std::to_string(i) + ") { return \"n" + std::to_string(i) + "\"; }\n";
  return s + "  else { return \"other\"; }\n}\nVMM1Hz { logstr(name(3)); }\n";
}

}  // namespace

TEST_CASE("limits: an else-if chain is not nesting and lowers to one cond") {
  emmett::Result r = compile(nameTable(400));
  INFO(r.messages);
  REQUIRE(r.ok);
  size_t cond = r.vp.find("(cond");
  REQUIRE(cond != std::string::npos);
  CHECK(r.vp.find("(cond", cond + 1) == std::string::npos);
  CHECK(contains(r.vp, "\"n399\""));
  CHECK(contains(r.vp, "\"other\""));
}

TEST_CASE("limits: else-if arms count towards the statement depth limit") {
  CHECK(compile(nameTable(990)).ok);
  std::string msg = firstMessage(nameTable(3000));
  CHECK(contains(msg, "error: statements nested deeper than 1000 levels (each arm of an else-if chain counts one)"));
  // Arm N is on line N + 2; the function body is one level of nesting.
  CHECK(msg.rfind("t.emt:1002:8: ", 0) == 0);
}

TEST_CASE("limits: an else-if chain keeps C's meaning") {
  std::string src =
      "int f(int n) { if (n == 1) return 10; else if (n == 2) return 20; else if (n == 3) { if (n) return 30; else return 31; } "
      "else return 40; }\nVMM1Hz { logint(f(2)); }\n";
  emmett::Result r = compile(src);
  INFO(r.messages);
  REQUIRE(r.ok);
  CHECK(contains(r.vp, "((== n 2) 20)"));
  // A dangling else belongs to the nearest if, inside the arm.
  CHECK(contains(compile("int x; VMM1Hz { if (x) if (x == 2) x = 1; else x = 2; }\n").vp, "(cond (x (cond ((== x 2)"));
}

TEST_CASE("limits: random long mixtures of operators never crash") {
  const char* pieces[] = {" + x", " << x", ", x", "->n", "[0]", "++", " ? x : x", " = x", " && x", " * (x",
                          ")", "-", " else if (x) x = 1;", "{", "}"};
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    std::string body;
    int n = 100 + static_cast<int>(rng() % 6000);
    for (int k = 0; k < n; ++k) body += pieces[rng() % (sizeof pieces / sizeof pieces[0])];
    std::string src = "int x; struct S { struct S *n; }; struct S *p;\nVMM1Hz { if (x) x = p" + body + "; }\n";
    emmett::Result r = compile(src);
    if (!r.ok) CHECK_FALSE(r.messages.empty());
  }
}
