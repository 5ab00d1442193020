// External types ($module.T) against a small symbol database written here,
// so that each layout rule is checked on its own: offsets, bit fields,
// anonymous members, typedefs, enums and their constants, and the errors.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"

namespace {

using emmett::test::contains;
using emmett::test::flatVp;
using emmett::test::TempDb;

// struct node { struct node *next; int id; unsigned kind:3; int delta:5;
//   union { unsigned raw; struct { unsigned short lo, hi; }; }; char name[8]; };
// typedef struct node node_t; enum color { RED, GREEN = 7, BLACK = -1 };
const char* kDb =
    "symdb 1\n"
    "image mini\n"
    "file 1 mini.c\n"
    "type 1 base 4 s int\n"
    "type 2 base 4 u unsigned int\n"
    "type 3 base 2 u short unsigned int\n"
    "type 4 base 1 s char\n"
    "type 5 struct 28 node\n"
    "member 6 0 0 next\n"
    "member 1 64 0 id\n"
    "member 2 96 3 kind\n"
    "member 1 99 5 delta\n"
    "member 8 128 0\n"
    "member 9 160 0 name\n"
    "type 6 pointer 8 5\n"
    "type 7 struct 4\n"
    "member 3 0 0 lo\n"
    "member 3 16 0 hi\n"
    "type 8 union 4\n"
    "member 2 0 0 raw\n"
    "member 7 0 0\n"
    "type 9 array 8 4\n"
    "type 10 typedef 5 node_t\n"
    "type 11 enum 4 s color\n"
    "enumerator 0x0 RED\n"
    "enumerator 0x7 GREEN\n"
    "enumerator 0xffffffffffffffff BLACK\n"
    "type 12 struct - node\n"
    "func 0x1000 1 3 walk\n"
    "range 0x1000 0x1040\n"
    "param 6 n\n"
    "loc 0x1000 0x1010 reg 5\n";

emmett::Options withDb(const TempDb& db, const std::string& name = "") {
  emmett::Options o;
  o.symbolDatabases.push_back(name.empty() ? db.path : name + "=" + db.path);
  return o;
}

}  // namespace

TEST_CASE("external types: members at DWARF's offsets") {
  TempDb db(kDb);
  std::string vp = flatVp("VMM1Hz { $mini.node_t *n = RDI; printf(\"%s %d\", n->name, n->next->id); }\n", withDb(db));
  CHECK(contains(vp, "(getgueststr str.1 8 (+ probe1.n 20))"));
  CHECK(contains(vp, "(+ (getguest probe1.n) 8)"));
  CHECK(emmett::test::vpBody("VMM1Hz { printf(\"%d\", sizeof(struct $mini.node)); }\n", withDb(db)).find("28") !=
        std::string::npos);
}

TEST_CASE("external types: anonymous members are the enclosing record's") {
  TempDb db(kDb);
  std::string vp = flatVp("VMM1Hz { struct $mini.node *n = RDI; printf(\"%d %d\", n->hi, n->raw); }\n", withDb(db));
  CHECK(contains(vp, "(getguest (+ probe1.n 18))"));
  CHECK(contains(vp, "(getguest (+ probe1.n 16))"));
}

TEST_CASE("external types: bit fields are shifted, masked and sign-extended") {
  TempDb db(kDb);
  std::string vp = flatVp("VMM1Hz { struct $mini.node *n = RDI; printf(\"%d %d\", n->kind, n->delta); }\n", withDb(db));
  // kind: bits 0-2 of byte 12; delta: bits 3-7, signed.
  CHECK(contains(vp, "(& (cond ((<= (& (+ probe1.n 12) 4095) 4088) (& (getguest (+ probe1.n 12)) 0xff))"));
  CHECK(contains(vp, "0x7)"));
  CHECK(contains(vp, "(>> (getguest (+ probe1.n 5)) 56))) 3) 0x10) 0x10)"));
  CHECK(emmett::test::firstMessage("VMM1Hz { struct $mini.node *n = RDI; printf(\"%d\", &n->kind); }\n", withDb(db)) ==
        "t.emt:1:51: error: cannot take the address of bit field 'kind'");
}

TEST_CASE("external types: enums and their constants") {
  TempDb db(kDb);
  std::string vp = flatVp("VMM1Hz { enum $mini.color c = $mini.GREEN; if (c != $mini.BLACK) printf(\"%d\", c); }\n",
                                        withDb(db));
  CHECK(contains(vp, "(setint probe1.c 7)"));
  CHECK(contains(vp, "0xffffffffffffffff"));
  // A constant starts an expression statement, not a declaration.
  CHECK(emmett::test::compile("VMM1Hz { $mini.RED; }\n", withDb(db)).ok);
}

TEST_CASE("external types: a database loaded under another name") {
  TempDb db(kDb);
  CHECK(emmett::test::compile("VMM1Hz { $k.node_t *n = RDI; printf(\"%d\", n->id); }\n", withDb(db, "k")).ok);
  CHECK(emmett::test::firstMessage("VMM1Hz { $mini.node_t *n; }\n", withDb(db, "k")) ==
        "t.emt:1:10: error: no symbol database named 'mini' is loaded (-T mini=FILE names one)");
}

TEST_CASE("external types: errors name what is missing") {
  TempDb db(kDb);
  CHECK(emmett::test::firstMessage("VMM1Hz { $mini.nothing *n; }\n", withDb(db)) ==
        "t.emt:1:10: error: symbol database 'mini' has no type 'nothing'");
  CHECK(emmett::test::firstMessage("VMM1Hz { union $mini.node *n; }\n", withDb(db)) ==
        "t.emt:1:10: error: symbol database 'mini' has no union 'node'");
  CHECK(emmett::test::firstMessage("VMM1Hz { struct $mini.node *n = RDI; printf(\"%d\", n->nope); }\n", withDb(db)) ==
        "t.emt:1:54: error: struct $mini.node has no member 'nope'");
}

TEST_CASE("external types: a bad database is an error at its line") {
  TempDb db("symdb 1\nimage x\ntype 1 pointer 8 9\n");
  emmett::Result r = emmett::test::compile("VMM1Hz { }\n", withDb(db));
  CHECK_FALSE(r.ok);
  CHECK(contains(r.messages, db.path + ":3:1: error: type 9 is referenced but not defined"));
  emmett::Options missing;
  missing.symbolDatabases.push_back("/nonexistent/x.symdb");
  CHECK(emmett::test::firstMessage("VMM1Hz { }\n", missing) == "error: cannot read symbol database '/nonexistent/x.symdb'");
}
