// Name resolution: declarations, scopes, implicit globals, unknown names.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

TEST_CASE("names: unknown identifiers and functions") {
  CHECK(firstMessage("VMM1Hz { logint(nope); }\n") == "t.emt:1:17: error: unknown identifier 'nope'");
  CHECK(firstMessage("VMM1Hz { curworld(); }\n") == "t.emt:1:10: error: unknown function 'curworld'");
  CHECK(firstMessage("int x; VMM1Hz { x(); }\n") == "t.emt:1:17: error: 'x' is not a function");
}

TEST_CASE("names: redefinitions") {
  CHECK(firstMessage("int x;\nstring x;\n") == "t.emt:2:8: error: redefinition of 'x' (first declared at line 1)");
  CHECK(firstMessage("int RIP;\n") == "t.emt:1:5: error: 'RIP' is a built-in variable and cannot be redefined");
  CHECK(firstMessage("int printf(int a) { return a; }\n") == "t.emt:1:5: error: 'printf' is a built-in function and cannot be redefined");
  CHECK(firstMessage("VMM1Hz { int a; int a; }\n") == "t.emt:1:21: error: redefinition of 'a' in the same block");
  CHECK(firstMessage("int f(int a, int a) { return a; }\n") == "t.emt:1:18: error: duplicate parameter 'a'");
  CHECK(firstMessage("int f(int a);\nVMM1Hz { logint(f(1)); }\n") == "t.emt:1:5: error: function 'f' is declared but never defined");
}

TEST_CASE("names: an assignment declares an implicit global typed by its value") {
  std::string vp = vpBody("int get() { return n; }\nVMM1Hz { n = 5; s = \"x\"; logint(get()); logstr(s); }\n");
  CHECK(contains(vp, "(definteger n)\n(defstring s)"));
}

TEST_CASE("names: block scopes shadow, and locals get distinct VP names") {
  std::string vp = vpBody("int a;\nVMM1Hz { int a = 1; { int a = 2; logint(a); } logint(a); }\n");
  CHECK(contains(vp, "(setint probe1.a 1)"));
  CHECK(contains(vp, "(setint probe1.a.2 2)"));
  CHECK(contains(vp, "(logint probe1.a.2)"));
  CHECK(contains(vp, "(logint probe1.a)"));
}

TEST_CASE("names: user names that VP reserves are renamed") {
  std::string vp = vpBody("int MAX_N = 3;\nint cond;\nVMM1Hz { cond = MAX_N; }\n");
  CHECK(contains(vp, "(definteger u.MAX_N 3)\n(definteger u.cond)"));
  CHECK(contains(vp, "(setint u.cond u.MAX_N)"));
  std::string longName(80, 'q');
  std::string lv = vpBody("int " + longName + ";\nVMM1Hz { " + longName + " = 1; }\n");
  CHECK(contains(lv, "(definteger " + std::string(54, 'q') + "."));
}

TEST_CASE("names: storage classes only on globals") {
  CHECK(firstMessage("VMM1Hz { pervm int x; }\n") ==
        "t.emt:1:20: error: storage classes (pervm, pervmk, perhost) are only allowed on global variables");
  CHECK(firstMessage("pervm string s;\n") == "t.emt:1:14: error: shared variable 's' must be an integer (pervm int s)");
}

TEST_CASE("names: external types without a database are explained") {
  CHECK(firstMessage("VMM1Hz { $vmkernel.PRDA *p; }\n") ==
        "t.emt:1:10: error: external type '$vmkernel.PRDA' needs a symbol database: make one with `emmett-symdb "
        "IMAGE` and load it with -T FILE (or declare the type, a sparse struct with @offset fields)");
}
