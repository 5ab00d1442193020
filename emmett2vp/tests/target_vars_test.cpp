// Target variables (`$name`) against a small symbol database written here:
// each kind of place a location list gives (register, frame slot through
// the call frame address, register + offset, fixed address, constant) and
// each refusal, with the variable and the address in the message.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"

namespace {

namespace t = emmett::test;
using t::contains;
using t::TempDb;

// int walk(struct node *n, int count) at 0x1000-0x1080: `push rbp` at
// 0x1000, `mov rbp, rsp` at 0x1001, the frame set from 0x1004; n moves
// from rdi to a frame slot at 0x1010; count is DW_OP_entry_value from
// 0x1020. World_New(struct node *args) is the slides' example.
const char* kDb =
    "symdb 1\n"
    "image kern\n"
    "type 1 base 4 s int\n"
    "type 2 base 4 u unsigned int\n"
    "type 3 struct 16 node\n"
    "member 4 0 0 next\n"
    "member 1 64 0 id\n"
    "type 4 pointer 8 3\n"
    "type 5 base 8 s double\n"
    "type 6 base 1 s char\n"
    "func 0x1000 0 3 walk\n"
    "range 0x1000 0x1080\n"
    "framebase 0x1000 0x1080 cfa\n"
    "cfa 0x1000 0x1001 breg 7 8\n"
    "cfa 0x1001 0x1004 breg 7 16\n"
    "cfa 0x1004 0x1080 breg 6 16\n"
    "param 4 n\n"
    "loc 0x1000 0x1010 reg 5\n"
    "loc 0x1010 0x1080 fbreg -24\n"
    "param 1 count\n"
    "loc 0x1000 0x1020 reg 4\n"
    "loc 0x1020 0x1030 expr 0xa3:0x1:[54] 0x9f:0x0:0x0\n"
    "local 1 limit\n"
    "loc 0x1000 0x1080 const 0xfffffffffffffffb\n"
    "local 2 flags\n"
    "loc 0x1000 0x1080 addr 0x5000\n"
    "local 3 copy\n"
    "loc 0x1004 0x1080 breg 6 -64\n"
    "local 6 c\n"
    "loc 0x1000 0x1080 reg 1\n"
    "local 5 ratio\n"
    "loc 0x1000 0x1080 reg 17\n"
    "local 1 gone\n"
    "local 3 pair\n"
    "loc 0x1000 0x1080 reg 0\n"
    "local 4 end\n"
    "loc 0x1000 0x1080 expr 0x72:0xfffffffffffff000:0x0 0x9f:0x0:0x0\n"
    "func 0x2000 0 20 World_New\n"
    "range 0x2000 0x2040\n"
    "param 4 args\n"
    "loc 0x2000 0x2040 reg 3\n";

emmett::Options withDb(const TempDb& db) {
  emmett::Options o;
  o.symbolDatabases.push_back(db.path);
  return o;
}

std::string vpAt(const TempDb& db, const std::string& addr, const std::string& body) {
  return t::flatVp("GUEST:" + addr + " { " + body + " }\n", withDb(db));
}

std::string errorAt(const TempDb& db, const std::string& probe, const std::string& body) {
  return t::firstMessage(probe + " { " + body + " }\n", withDb(db));
}

}  // namespace

TEST_CASE("target variables: registers, cut to the variable's type") {
  TempDb db(kDb);
  std::string vp = vpAt(db, "0x1000", "printf(\"%d %d %d\", $n, $count, $c);");
  CHECK(contains(vp, "RDI"));
  CHECK(contains(vp, "(- (^ (& RSI 0xffffffff) 0x80000000) 0x80000000)"));  // int: 32 bits, signed
  CHECK(contains(vp, "(- (^ (& RDX 0xff) 0x80) 0x80)"));                    // char in rdx (DWARF 1)
}

TEST_CASE("target variables: the slides' $args->p2mCacheSize, a member through a pointer parameter") {
  TempDb db(kDb);
  std::string vp = vpAt(db, "0x2000", "printf(\"%d\", $args->id);");
  CHECK(contains(vp, "(+ RBX 8)"));
  CHECK(contains(vp, "(setint getguest.addr (+ RBX 8))"));  // a 4-byte int: the narrow read
}

TEST_CASE("target variables: frame slots through the call frame address at the probe") {
  TempDb db(kDb);
  // fbreg -24 with the CFA at RBP+16: RBP-8.
  CHECK(contains(vpAt(db, "0x1010", "printf(\"%d\", $n->id);"), "(setint getguest.addr (+ (getguest (- RBP 8)) 8))"));
  // A struct on the stack: its members and its address.
  std::string vp = vpAt(db, "0x1010", "printf(\"%d %d\", $copy.id, &$copy);");
  CHECK(contains(vp, "(setint getguest.addr (- RBP 56))"));
  CHECK(contains(vp, "(- RBP 64)"));
}

TEST_CASE("target variables: the call frame address follows the prologue") {
  const std::string slot =
      "symdb 1\nimage kern\ntype 1 base 8 u long\nfunc 0x1000 0 0 f\nrange 0x1000 0x1080\n"
      "framebase 0x1000 0x1080 cfa\ncfa 0x1000 0x1001 breg 7 8\ncfa 0x1001 0x1004 breg 7 16\n"
      "cfa 0x1004 0x1080 breg 6 16\nparam 1 seventh\nloc 0x1000 0x1080 fbreg 0\n";
  TempDb db(slot);
  CHECK(contains(vpAt(db, "0x1000", "logint($seventh);"), "(getguest (+ RSP 8))"));   // at the entry
  CHECK(contains(vpAt(db, "0x1002", "logint($seventh);"), "(getguest (+ RSP 16))"));  // after push rbp
  CHECK(contains(vpAt(db, "0x1040", "logint($seventh);"), "(getguest (+ RBP 16))"));  // frame set
  // Without call frame information, only the entry is known.
  TempDb old("symdb 1\nimage kern\ntype 1 base 8 u long\nfunc 0x1000 0 0 f\nrange 0x1000 0x1080\n"
             "framebase 0x1000 0x1080 cfa\nparam 1 seventh\nloc 0x1000 0x1080 fbreg 0\n");
  CHECK(contains(vpAt(old, "0x1000", "logint($seventh);"), "(getguest (+ RSP 8))"));
  CHECK(errorAt(old, "GUEST:0x1040", "logint($seventh);") ==
        "t.emt:1:23: error: '$seventh' at 0x1040 (f+0x40) is on the stack, but the symbol database has no call frame "
        "information for that address (make it again with emmett-symdb)");
}

TEST_CASE("target variables: constants, fixed addresses, a register plus a constant") {
  TempDb db(kDb);
  CHECK(contains(vpAt(db, "0x1000", "logint($end);"), "(- RCX 4096)"));  // DW_OP_breg2 -4096 DW_OP_stack_value
  std::string vp = vpAt(db, "0x1000", "printf(\"%d %d\", $limit, $flags);");
  CHECK(contains(vp, "0xfffffffffffffffb"));  // int -5
  CHECK(contains(vp, "(& (getguest 0x5000) 0xffffffff)"));  // unsigned int at 0x5000
}

// Each refusal: the probe, its body, the first message.
struct Refusal {
  const char* probe;
  const char* body;
  const char* message;
};

const Refusal kRefusals[] = {
    {"GUEST:0x1000", "logint($gone);", "t.emt:1:23: error: '$gone' is optimized out at 0x1000 (walk)"},
    {"GUEST:0x1030", "logint($count);", "t.emt:1:23: error: '$count' is optimized out at 0x1030 (walk+0x30)"},
    {"GUEST:0x1024", "logint($count);",
     "t.emt:1:23: error: '$count' at 0x1024 (walk+0x24) is held as DW_OP_entry_value: the value it had when the "
     "function was entered, kept in no register or memory here; it cannot be read"},
    {"GUEST:0x1000", "logint($ratio);",
     "t.emt:1:23: error: '$ratio' at 0x1000 (walk) is in DWARF register 17, not a general register; it cannot be read"},
    {"GUEST:0x1000", "logint($nope);",
     "t.emt:1:23: error: walk has no parameter or local named 'nope' ('$nope' at 0x1000 (walk); it has n, count, "
     "limit, flags, copy, c, ratio, gone, pair, end)"},
    {"GUEST:0x1000", "logint($args->limit);",
     "t.emt:1:23: error: walk has no parameter named 'limit' ('$args->limit' at 0x1000 (walk); it has n, count, "
     "limit, flags, copy, c, ratio, gone, pair, end)"},
    {"GUEST:0x1000", "logint($locals->count);",
     "t.emt:1:23: error: walk has no local named 'count' ('$locals->count' at 0x1000 (walk); it has n, count, "
     "limit, flags, copy, c, ratio, gone, pair, end)"},
    {"GUEST:0x3000", "logint($n);",
     "t.emt:1:23: error: no function in the symbol database holds 0x3000, the address of the probe that reads '$n'"},
    {"VMM1Hz", "logint($n);",
     "t.emt:1:17: error: '$n' reads a variable of a guest function: it needs a probe at a code address known when "
     "the script is compiled (GUEST:sym, GUEST:sym+off, GUEST:0xADDR, GUEST:OFFSET:sym:off), not VMM1Hz"},
    {"GUEST:EXIT:0x1000", "logint($n);",
     "t.emt:1:28: error: '$n' cannot be read in a return probe (GUEST:EXIT:0x1000): the function's variables are "
     "gone when it returns; read it in a GUEST:ENTER or GUEST:OFFSET probe"},
    {"GUEST:0x1000", "$count = 1;",
     "t.emt:1:16: error: cannot assign to guest variable '$count': VProbes scripts never modify the guest"},
    {"GUEST:0x1010", "$n->id = 1;",
     "t.emt:1:20: error: cannot assign to guest memory: VProbes scripts never modify the guest"},
    {"GUEST:0x1000", "logint(&$count);", "t.emt:1:23: error: cannot take the address of guest variable '$count'"},
    {"GUEST:0x1000", "logint($pair.id);",
     "t.emt:1:23: error: '$pair' at 0x1000 (walk) is a struct $kern.node held in RAX; only integers and pointers are "
     "read from there"},
};

TEST_CASE("target variables: refused with the variable and the address") {
  TempDb db(kDb);
  for (const Refusal& r : kRefusals) {
    INFO(r.probe << " { " << r.body << " }");
    CHECK(errorAt(db, r.probe, r.body) == r.message);
  }
}

TEST_CASE("target variables: only in a probe's body, with a database") {
  TempDb db(kDb);
  CHECK(t::firstMessage("int f() { return $n; }\nGUEST:0x1000 { logint(f()); }\n", withDb(db)) ==
        "t.emt:1:18: error: '$n' reads a variable of the probed guest function: it is only known in a probe's body");
  CHECK(t::firstMessage("GUEST:0x1000 { logint($n); }\n") ==
        "t.emt:1:23: error: '$n' reads a variable of the probed guest function: load the guest's symbol database with -T FILE");
}

TEST_CASE("target variables: $args->x and $locals->x where the function has no variable args or locals") {
  TempDb db(kDb);
  std::string vp = vpAt(db, "0x1010", "printf(\"%d %d %d\", $args->count, $args->n->id, $locals->limit);");
  CHECK(contains(vp, "(- (^ (& RSI 0xffffffff) 0x80000000) 0x80000000)"));
  CHECK(contains(vp, "(setint getguest.addr (+ (getguest (- RBP 8)) 8))"));
  CHECK(contains(vp, "0xfffffffffffffffb"));
}

TEST_CASE("target variables: a glob's probes share one place, or are refused") {
  TempDb db(kDb);
  TempDb syms("0000000000001000 T walk_a\n0000000000001010 T walk_b\n");
  emmett::Options o = withDb(db);
  o.symbolFile = syms.path;
  CHECK(contains(t::flatVp("GUEST:walk_* { logint($limit); }\n", o), "0xfffffffffffffffb"));
  CHECK(t::firstMessage("GUEST:walk_* { logint($n); }\n", o) ==
        "t.emt:1:23: error: '$n' is not in the same place at every address of GUEST:walk_*; probe one address");
}
