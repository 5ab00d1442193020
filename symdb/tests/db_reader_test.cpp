// The database text format: what is written reads back the same, and
// every malformed record is an error at its line, never a crash.
#include <catch2/catch.hpp>

#include <sstream>

#include "symdb/symdb.h"

namespace {

std::string readError(const std::string& text) {
  symdb::Database db;
  std::string error;
  return symdb::readDatabase(text, "t.symdb", db, error) ? "" : error;
}

symdb::Database sample() {
  symdb::Database db;
  db.image = "demo";
  db.files.push_back("kernel/main.c");
  symdb::Type i;
  i.kind = symdb::TypeKind::Base, i.size = 4, i.isSigned = true, i.name = "int";
  symdb::Type s;
  s.kind = symdb::TypeKind::Struct, s.size = 8, s.name = "task";
  s.members = {{"pid", 1, 0, 0}, {"state", 1, 32, 3}, {"", 1, 35, 2}};
  symdb::Type e;
  e.kind = symdb::TypeKind::Enum, e.size = 4, e.isSigned = true, e.name = "st";
  e.enumerators = {{"A", 0}, {"B", static_cast<uint64_t>(-2)}};
  db.types.push_back(i), db.types.push_back(s), db.types.push_back(e);
  symdb::Function f;
  f.name = "work", f.entry = 0x1000, f.file = 1, f.line = 7, f.ranges = {{0x1000, 0x1040}};
  symdb::Location reg;
  reg.low = 0x1000, reg.high = 0x1010, reg.kind = symdb::Location::Kind::Register, reg.reg = 5;
  symdb::Location slot = reg;
  slot.low = 0x1010, slot.high = 0x1040, slot.kind = symdb::Location::Kind::FrameOffset, slot.offset = -24;
  f.vars.push_back({"t", 2, true, {reg, slot}});
  f.inlined.push_back({"helper", 1, {{0x1010, 0x1018}, {0x1030, 0x1034}}, 0x1010});
  f.inlined.push_back({"inner", 2, {{0x1014, 0x1016}}, 0x1012});
  symdb::Location entry;  // RSP+8 at the entry, RBP+16 once the frame is set
  entry.low = 0x1000, entry.high = 0x1001, entry.kind = symdb::Location::Kind::RegOffset, entry.reg = 7, entry.offset = 8;
  symdb::Location framed = entry;
  framed.low = 0x1004, framed.high = 0x1040, framed.reg = 6, framed.offset = 16;
  f.cfa = {entry, framed};
  db.functions.push_back(f);
  db.lines = {{0x1000, 1, 7}, {0x1004, 1, 8, false}, {0x1012, 1, 3}};
  db.index();
  return db;
}

}  // namespace

TEST_CASE("symdb: a database reads back as written") {
  std::ostringstream out;
  symdb::writeDatabase(sample(), out);
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readDatabase(out.str(), "t.symdb", db, error));
  std::ostringstream again;
  symdb::writeDatabase(db, again);
  CHECK(again.str() == out.str());
  REQUIRE(db.findStruct("task"));
  CHECK(db.findStruct("task")->members[1].bitSize == 3);
  CHECK(db.findEnumerator("B")->value == static_cast<uint64_t>(-2));
  CHECK(db.functions[0].vars[0].locations[1].offset == -24);
  REQUIRE(db.functions[0].cfa.size() == 2);
  CHECK(db.functions[0].cfa[1].reg == 6);
  CHECK(db.functions[0].cfa[1].offset == 16);
  CHECK(symdb::typeName(db, 2) == "struct task");
  REQUIRE(db.functions[0].inlined.size() == 2);
  CHECK(db.functions[0].inlined[0].ranges.size() == 2);
  CHECK(db.functions[0].inlined[1].depth == 2);
  CHECK_FALSE(db.lines[1].isStmt);
  CHECK(db.lines[2].isStmt);
}

TEST_CASE("symdb: an anonymous enum's constants are found, a named enum's first") {
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readDatabase("symdb 1\nimage k\ntype 1 enum 4 u\nenumerator 0x10 TASK_COMM_LEN\n"
                              "type 2 enum 4 u st\nenumerator 0x1 A\ntype 3 enum 4 u\nenumerator 0x2 A\n",
                              "t.symdb", db, error));
  REQUIRE(db.findEnumerator("TASK_COMM_LEN"));
  CHECK(db.findEnumerator("TASK_COMM_LEN")->value == 16);
  CHECK(db.findEnumerator("A")->value == 1);
}

TEST_CASE("symdb: 'from btf' says the database has only types") {
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readDatabase("symdb 1\nimage k\nfrom btf\n", "t.symdb", db, error));
  CHECK(db.fromBtf);
  REQUIRE(symdb::readDatabase("symdb 1\nimage k\n", "t.symdb", db, error));
  CHECK_FALSE(db.fromBtf);
  CHECK(readError("symdb 1\nimage k\nfrom stabs\n") == "t.symdb:3: error: 'from' is btf or dwarf, not 'stabs'");
}

TEST_CASE("symdb: a line's places are its first statement in each function or inlined copy") {
  symdb::Database db = sample();
  // Line 8 starts no statement: no place, and 7 is the nearest line with one.
  CHECK(symdb::linePlaces(db, 1, 8).empty());
  CHECK(symdb::nearestLines(db, 1, 8) == std::pair<uint32_t, uint32_t>{7, 0});
  auto places = symdb::linePlaces(db, 1, 3);
  REQUIRE(places.size() == 1);
  CHECK(places[0].addr == 0x1012);
  CHECK(places[0].function == &db.functions[0]);
  REQUIRE(places[0].inlined);
  CHECK(places[0].inlined->name == "inner");  // the innermost copy, starting there outside its ranges
  CHECK(symdb::filesNamed(db, "main.c") == std::vector<uint32_t>{1});
  CHECK(symdb::filesNamed(db, "ain.c").empty());
}

TEST_CASE("symdb: malformed databases are errors at their line") {
  CHECK(readError("") == "t.symdb:1: error: not a symbol database (the file is empty)");
  CHECK(readError("ELF\n") == "t.symdb:1: error: not a symbol database (the first line is not 'symdb 1')");
  CHECK(readError("symdb 1\n") == "t.symdb:1: error: no image record");
  CHECK(readError("symdb 1\nimage x\ntype 2 void\n") == "t.symdb:3: error: type ids must count up from 1");
  CHECK(readError("symdb 1\nimage x\ntype 1 base x s int\n") == "t.symdb:3: error: 'x' is not a number");
  CHECK(readError("symdb 1\nimage x\ntype 1 base 4 q int\n") == "t.symdb:3: error: signedness must be s or u");
  CHECK(readError("symdb 1\nimage x\ntype 1 blob\n") == "t.symdb:3: error: unknown type kind 'blob'");
  CHECK(readError("symdb 1\nimage x\nmember 0 0 0 a\n") == "t.symdb:3: error: member outside a type that has them");
  CHECK(readError("symdb 1\nimage x\nloc 0 0 reg 1\n") == "t.symdb:3: error: loc before any func");
  CHECK(readError("symdb 1\nimage x\ntype 1 pointer 8 7\n") == "t.symdb:3: error: type 7 is referenced but not defined");
  CHECK(readError("symdb 1\nimage x\ntype 1 array 4 1\n") == "t.symdb:3: error: type 1 contains itself");
  CHECK(readError("symdb 1\nimage x\ntype 1 typedef 2 a\ntype 2 typedef 1 b\n") ==
        "t.symdb:4: error: type 1 contains itself");
  CHECK(readError("symdb 1\nimage x\ntype 1 struct 4 s\nmember 1 0 0 self\n") == "t.symdb:4: error: type 1 contains itself");
  CHECK(readError("symdb 1\nimage x\nline 0x10 1 1\n") == "t.symdb:3: error: a line names file 1, which is not defined");
  CHECK(readError("symdb 1\nimage x\nfile 1 a.c\nline 0x10 1 1\nline 0x8 1 2\n") ==
        "t.symdb:5: error: line records are not sorted by address");
  CHECK(readError("symdb 1\nimage x\ntype 1 pointer 8 99999999999\n") == "t.symdb:3: error: number out of range");
  CHECK(readError("symdb 1\nimage x\nfunc 0x10 0 0 f\nloc 0 0 reg 1\n") == "t.symdb:4: error: loc before any param or local");
  CHECK(readError("symdb 1\nimage x\nfunc 0x10 0 0 f\nparam 0 p\nloc 0 0 reg 1 2\n") == "t.symdb:5: error: unexpected field '2'");
  CHECK(readError("symdb 1\nimage x\nfunc 0x10 0 0 f\nrange 1\n") == "t.symdb:4: error: a field is missing");
  CHECK(readError("symdb 1\nimage x\nfunc 0x10 0 0 f\nirange 1 2\n") == "t.symdb:4: error: irange before any inline");
  CHECK(readError("symdb 1\nimage x\ninline 1 0x0 g\n") == "t.symdb:3: error: inline before any func");
  CHECK(readError("symdb 1\nimage x\nfunc 0x10 0 0 f\ninline 0 0x10 g\n") == "t.symdb:4: error: an inline's depth counts from 1");
  CHECK(readError("symdb 1\nimage x\nfile 1 a.c\nline 0x10 1 1 stmt\n") == "t.symdb:4: error: unexpected field 'stmt'");
  CHECK(readError("symdb 1\nimage x\ncfa 0 1 breg 7 8\n") == "t.symdb:3: error: cfa before any func");
}

TEST_CASE("symdb: every truncation of a database is read or refused") {
  std::ostringstream out;
  symdb::writeDatabase(sample(), out);
  std::string text = out.str();
  for (size_t n = 0; n < text.size(); ++n) {
    symdb::Database db;
    std::string error;
    if (!symdb::readDatabase(text.substr(0, n), "t.symdb", db, error)) CHECK(error.starts_with("t.symdb:"));
  }
}

TEST_CASE("symdb: globs") {
  CHECK(symdb::globMatch("sys_*", "sys_read"));
  CHECK(symdb::globMatch("*task*", "struct_task_x"));
  CHECK(symdb::globMatch("t?sk", "task"));
  CHECK_FALSE(symdb::globMatch("t?sk", "tassk"));
  CHECK_FALSE(symdb::globMatch("a*b", "acd"));
  CHECK(symdb::globMatch("*", ""));
}
