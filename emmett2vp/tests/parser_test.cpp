// The PEGTL grammar: analyze() for loops, and syntax error messages.
#include <catch2/catch.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "emmett2vp/src/parser/grammar.h"
#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

TEST_CASE("parser: the grammar has no left recursion or empty loops") {
  CHECK(tao::pegtl::analyze<emmett::grammar::grammar>(1) == 0);
}

TEST_CASE("parser: syntax errors say what was expected, where") {
  CHECK(firstMessage("VMM1Hz { logint(1) }\n") == "t.emt:1:20: error: expected ';'");
  CHECK(firstMessage("VMM1Hz { x = ; }\n") == "t.emt:1:14: error: expected an expression");
  CHECK(firstMessage("VMM1Hz { logint(1 + ); }\n") == "t.emt:1:21: error: expected an expression after the operator");
  CHECK(firstMessage("VMM1Hz { if (1 { } }\n") == "t.emt:1:16: error: expected ')'");
  CHECK(firstMessage("VMM1Hz {\n  logint(1);\n") == "t.emt:2:13: error: expected '}'");
  CHECK(firstMessage("VMM1Hz { printf(\"abc); }\n") == "t.emt:1:25: error: unterminated string literal");
  CHECK(firstMessage("/* never closed\n") == "t.emt:1:16: error: unterminated /* comment");
  CHECK(firstMessage("aggr a;\n") == "t.emt:1:7: error: expected '[N]' after the aggregate name");
  CHECK(firstMessage("int f(int a) logint(a);\n") == "t.emt:1:14: error: expected '{' or ';' after the parameters");
  CHECK(firstMessage("VMM1Hz { try { } }\n") == "t.emt:1:18: error: expected 'catch' after the try block");
  CHECK(firstMessage("VMM1Hz { foreach (k, v) b { } }\n") == "t.emt:1:25: error: expected 'in' after 'foreach (key, value)'");
  CHECK(firstMessage("}\n") == "t.emt:1:1: error: expected a declaration, a function or a probe");
}

TEST_CASE("parser: typographic quotes from PDFs get a hint") {
  CHECK(firstMessage("VMM1Hz { printf(\xe2\x80\x9chi\xe2\x80\x9d); }\n") ==
        "t.emt:1:17: error: expected ')' (found a typographic quote; use '\"' or '\\'')");
}

TEST_CASE("parser: nesting is bounded instead of overflowing the stack") {
  std::string deep = "VMM1Hz { logint(" + std::string(5000, '(') + "1" + std::string(5000, ')') + "); }\n";
  CHECK(contains(firstMessage(deep), "error: nesting deeper than 200 levels"));
}

TEST_CASE("parser: precedence and associativity are C's") {
  std::string vp = vpBody("VMM1Hz { logint(1 + 2 * 3 - 4 << 1 & 7 | 8 ^ 9 && 1 || 0); }\n");
  CHECK(contains(vp, "(|| (&& (| (& (<< (- (+ 1 (* 2 3)) 4) 1) 7) (^ 8 9)) 1) 0)"));
  CHECK(contains(vpBody("int a, b; VMM1Hz { a = b = 3; }\n"), "(setint a (setint b 3))"));
  CHECK(contains(vpBody("VMM1Hz { logint(1 ? 2 : 0 ? 3 : 4); }\n"), "(cond (1 2) (1 (cond (0 3) (1 4))))"));
}

TEST_CASE("parser: a probe body may be a single statement") {
  CHECK(contains(vpBody("aggr a[1]; VMM1Hz logaggr(a);\n"), "(vprobe VMM1Hz (logaggr a))"));
}

TEST_CASE("parser: `<-` is the aggregate arrow, not `<` and `-`") {
  CHECK(contains(vpBody("aggr a[1]; VMM1Hz { a[1]<-2; }\n"), "(aggr a (1) () 2)"));
}

TEST_CASE("parser: typedef names make declarations") {
  std::string vp = vpBody("typedef struct S { int a; } S;\nVMM1Hz { S *p; p = (S *)RBX; logint(p->a); }\n");
  CHECK(contains(vp, "(& (getguest probe1.p) 0xffffffff)"));
}
