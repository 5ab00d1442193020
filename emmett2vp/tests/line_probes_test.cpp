// Line-number probes (GUEST:OFFSET:fn:L123, GUEST:OFFSET:fn:F23,
// GUEST:file.c:123) against a small symbol database written here: the
// first statement of a line, one probe per function or inlined copy, and
// the errors for lines without code.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

namespace {

// loop() (main.c:10) runs lines 12, 13 and 16, with helper() (util.h:5)
// inlined into it twice; line 12's code is split in two (0x1004 and
// 0x1014), line 13 starts a statement only at 0x100c. other() (main.c:30)
// has lines 30 and 32.
const char* kDb =
    "symdb 1\n"
    "image mini\n"
    "file 1 /src/k/main.c\n"
    "file 2 /src/k/util.h\n"
    "func 0x1000 1 10 loop\n"
    "range 0x1000 0x1040\n"
    "inline 1 0x1010 helper\n"
    "irange 0x1010 0x1014\n"
    "inline 1 0x1020 helper\n"
    "irange 0x1020 0x1028\n"
    "func 0x1100 1 30 other\n"
    "range 0x1100 0x1120\n"
    "line 0x1000 1 10\n"
    "line 0x1004 1 12\n"
    "line 0x1008 1 13 nostmt\n"
    "line 0x100c 1 13\n"
    "line 0x1010 2 5\n"
    "line 0x1014 1 12\n"
    "line 0x1020 2 5\n"
    "line 0x1030 1 16\n"
    "line 0x1100 1 30\n"
    "line 0x1104 1 32\n";

// -T of kDb, written once for every case.
const emmett::Options& withDb() {
  static TempDb db(kDb);
  static emmett::Options o = [] {
    emmett::Options opts;
    opts.symbolDatabases.push_back(db.path);
    return opts;
  }();
  return o;
}

}  // namespace

TEST_CASE("line probes: a line of a function, file-relative and function-relative") {
  const emmett::Options& o = withDb();
  // Line 12's second piece (0x1014) is the same place: one probe.
  std::string l = vpBody("GUEST:OFFSET:loop:L12 { logint(1); }\n", o);
  CHECK(contains(l, "(vprobe GUEST:0x1004 "));
  CHECK(!contains(l, "0x1014"));
  CHECK(contains(vpBody("GUEST:OFFSET:loop:F2 { logint(1); }\n", o), "(vprobe GUEST:0x1004 "));
  CHECK(contains(vpBody("GUEST:OFFSET:loop:F0 { logint(1); }\n", o), "(vprobe GUEST:0x1000 "));
  // The first statement start, not the first instruction of the line.
  CHECK(contains(vpBody("GUEST:OFFSET:loop:L13 { logint(1); }\n", o), "(vprobe GUEST:0x100c "));
  CHECK(contains(vpBody("GUEST:OFFSET:other:F2 { logint(1); }\n", o), "(vprobe GUEST:0x1104 "));
}

TEST_CASE("line probes: file:line, by the file's name or the end of its path") {
  const emmett::Options& o = withDb();
  CHECK(contains(vpBody("GUEST:main.c:13 { logint(1); }\n", o), "(vprobe GUEST:0x100c "));
  CHECK(contains(vpBody("GUEST:k/main.c:32 { logint(1); }\n", o), "(vprobe GUEST:0x1104 "));
  CHECK(contains(vpBody("GUEST:/src/k/main.c:30 { logint(1); }\n", o), "(vprobe GUEST:0x1100 "));
}

TEST_CASE("line probes: a line inlined into several places probes each, and says so") {
  const emmett::Options& o = withDb();
  emmett::Result r = compile("GUEST:util.h:5 { logint(1); }\n", o);
  REQUIRE(r.ok);
  CHECK(contains(r.vp, "(vprobe GUEST:0x1010 (probe1.body))\n(vprobe GUEST:0x1020 (probe1.body))"));
  CHECK(contains(r.messages, "t.emt:1:1: warning: line util.h:5 has code in 2 places (inlined or duplicated); probing "
                             "each: 0x1010 (helper inlined into loop), 0x1020 (helper inlined into loop)"));
  // PROBENAME is the name as written at every place.
  std::string n = vpBody("GUEST:util.h:5 { logstr(PROBENAME); }\n", o);
  CHECK(contains(n, "(vprobe GUEST:0x1010 (setstr probe.name \"GUEST:util.h:5\") (probe1.body))\n"
                    "(vprobe GUEST:0x1020 (setstr probe.name \"GUEST:util.h:5\") (probe1.body))"));
}

TEST_CASE("line probes: errors at their place; a line without code names the nearest lines with code") {
  struct Case {
    const char* probe;
    const char* error;
  };
  const Case cases[] = {
      {"GUEST:main.c:14", "t.emt:1:14: error: main.c:14 has no code; the nearest lines with code are 13 and 16"},
      {"GUEST:main.c:40", "t.emt:1:14: error: main.c:40 has no code; the nearest line with code is 32"},
      // Within a function only its own lines count (30 and 32 are other()'s).
      {"GUEST:OFFSET:loop:L31",
       "t.emt:1:19: error: line main.c:31 has no code in loop; the nearest line with code in loop is 16 (F6)"},
      {"GUEST:OFFSET:loop:F4",
       "t.emt:1:19: error: F4 (main.c:14) has no code in loop; the nearest lines with code in loop are 13 (F3) and 16 (F6)"},
      {"GUEST:OFFSET:nope:L12", "t.emt:1:14: error: no function 'nope' in the symbol databases"},
      {"GUEST:OFFSET:lo*:L12", "t.emt:1:14: error: a line probe names one function, not a pattern ('lo*')"},
      {"GUEST:ain.c:13", "t.emt:1:7: error: no source file 'ain.c' in the symbol databases"},
      {"GUEST:OFFSET:loop:L12:3", "t.emt:1:23: error: malformed probe name 'GUEST:OFFSET:loop:L12:3'"},
      // A byte offset is still one (an F or L not followed by digits is not a line).
      {"GUEST:OFFSET:loop:Lx", "t.emt:1:19: error: malformed offset 'Lx' in probe name"},
  };
  for (const Case& c : cases) CHECK(firstMessage(std::string(c.probe) + " { logint(1); }\n", withDb()) == c.error);
  CHECK(firstMessage("GUEST:main.c:13 { logint(1); }\n") ==
        "t.emt:1:7: error: line probe 'GUEST:main.c:13' needs a symbol database (-T FILE, made by emmett-symdb IMAGE)");
}
