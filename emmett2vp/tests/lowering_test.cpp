// Lowering: the VP produced, and the VP version chosen.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

namespace {
std::string versionOf(const std::string& src) {
  emmett::Result r = compile(src);
  return r.ok ? r.version.str() : "error: " + r.messages;
}

// The VP on one line: each line break and its indentation become a space.
std::string flat(const std::string& vp) {
  std::string out;
  for (size_t i = 0; i < vp.size(); ++i) {
    if (vp[i] != '\n') {
      out += vp[i];
      continue;
    }
    out += ' ';
    while (i + 1 < vp.size() && vp[i + 1] == ' ') ++i;
  }
  return out;
}
}  // namespace

TEST_CASE("lowering: old features give VP 1.0 with no version form") {
  std::string src = "int n;\nVMM1Hz { n++; if (n > 3) { printf(\"%d\\n\", n); } }\n";
  CHECK(versionOf(src) == "1.0");
  CHECK_FALSE(contains(compile(src).vp, "(version"));
}

TEST_CASE("lowering: each newer form raises the version") {
  CHECK(versionOf("VMM1Hz { int i; for (i = 0; i < 3; i++) { } }\n") == "1.1");
  CHECK(versionOf("VMM1Hz { while (0) { } }\n") == "1.1");
  CHECK(versionOf("VMM1Hz { do { } while (0); }\n") == "1.1");
  CHECK(versionOf("bag b; VMM1Hz { foreach (k, v) in b { } }\n") == "1.1");
  CHECK(versionOf("VMM1Hz { try { logint(1); } catch { } }\n") == "1.1");
  CHECK(versionOf("int f(int n) { if (n) { logint(n); return 1; } logint(0); return 2; }\nVMM1Hz { logint(f(1)); }\n") == "1.0");
  CHECK(versionOf("int f(int n) { while (n) { return 1; } return 2; }\nVMM1Hz { logint(f(1)); }\n") == "1.1");
  CHECK(versionOf("pervm int c; VMM1Hz { fetchadd(c, 1); }\n") == "1.2");
  CHECK(versionOf("VMM1Hz { writeint(1, 4); }\n") == "1.2");
  CHECK(versionOf("aggr a[1]; VMM1Hz { printa(a, \"%d\"); }\n") == "1.2");
}

TEST_CASE("lowering: early returns in tail position stay VP 1.0") {
  std::string vp = vpBody("VMM1Hz {\n  if (PCPUID == 0) {\n    return;\n  }\n  logint(1);\n}\n");
  CHECK(contains(vp, "(vprobe VMM1Hz (cond ((== PCPUID 0) 0) (1 (logint 1))))"));
  std::string f = vpBody("int sq(int n) {\n  if (n == 0) {\n    return 0;\n  } else {\n    return n * n + sq(n - 1);\n  }\n}\nVMM1Hz logint(sq(3));\n");
  CHECK(contains(f, "(defun sq (n) (cond ((== n 0) 0) (1 (+ (* n n) (sq (- n 1))))))"));
}

TEST_CASE("lowering: a target older than the script needs is an error") {
  emmett::Options o;
  o.target = {1, 0};
  CHECK(firstMessage("VMM1Hz {\n  while (1) { }\n}\n", o) ==
        "t.emt:2:3: error: this script needs VP 1.1 (for the 'while' loop) but the target engine is VP 1.0");
}

TEST_CASE("lowering: narrow guest reads: page-safe 8-byte reads in 1.0, sized getguest in 1.1") {
  // VP 1.0: the 8 bytes at A while they stay in A's page, else the 8 that
  // end with the value, shifted down (never a byte past the value's page).
  std::string src = "VMM1Hz { uint16 *p = (uint16 *)RSI; logint(*p); int8 *q = (int8 *)RSI; logint(*q); }\n";
  std::string v10 = flat(vpBody(src));
  CHECK(contains(v10, "(logint (cond ((<= (& probe1.p 4095) 4088) (& (getguest probe1.p) 0xffff)) "
                      "(1 (>> (getguest (- probe1.p 6)) 48))))"));
  CHECK(contains(v10, "(logint (- (^ (cond ((<= (& probe1.q 4095) 4088) (& (getguest probe1.q) 0xff)) "
                      "(1 (>> (getguest (- probe1.q 7)) 56))) 0x80) 0x80))"));
  CHECK_FALSE(contains(v10, "getguest.addr"));  // a variable needs no temporary
  // Any other address is evaluated once, into a temporary defined once.
  std::string reg = flat(vpBody("VMM1Hz { logint(*(uint32 *)RBX + *(uint8 *)(RCX + 1)); }\n"));
  CHECK(contains(reg, "(definteger getguest.addr)"));
  CHECK(contains(reg, "(do (setint getguest.addr RBX) (cond ((<= (& getguest.addr 4095) 4088) "
                      "(& (getguest getguest.addr) 0xffffffff)) (1 (>> (getguest (- getguest.addr 4)) 32))))"));
  CHECK(contains(reg, "(setint getguest.addr (+ RCX 1))"));
  CHECK(contains(reg, "(1 (>> (getguest (- getguest.addr 7)) 56))"));
  // A variable plus a constant is repeated, the constants folded.
  std::string off = flat(vpBody("VMM1Hz { uint8 *p = (uint8 *)RBX; logint(p[9] + p[3]); }\n"));
  CHECK(contains(off, "(1 (>> (getguest (+ probe1.p 2)) 56))"));
  CHECK(contains(off, "(1 (>> (getguest (- probe1.p 4)) 56))"));
  // Constant addresses get the one branch they need.
  CHECK(contains(vpBody("VMMLoad { logint(*(uint32 *)0x1ffc); }\n"), "(logint (>> (getguest 8184) 32))"));
  CHECK(contains(vpBody("VMMLoad { logint(*(uint16 *)0x1ff8); }\n"), "(logint (& (getguest 8184) 0xffff))"));
  CHECK(contains(vpBody("VMMLoad { logint(*(uint8 *)0x2fff); }\n"), "(logint (>> (getguest 12280) 56))"));
  std::string v11 = vpBody("VMM1Hz { uint16 *p = (uint16 *)RSI; while (0) { } logint(*p); }\n");
  CHECK(contains(v11, "(logint (getguest probe1.p 2))"));
  CHECK(contains(vpBody("VMM1Hz { uint64 *p = (uint64 *)RSI; logint(*p); }\n"), "(logint (getguest probe1.p))"));
}

TEST_CASE("lowering: struct fields, arrays and pointer arithmetic") {
  std::string src =
      "struct Node { uint32 a; uint64 b; char name[8]; struct Node *next; };\n"
      "VMM1Hz { struct Node *n = (struct Node *)RBX; logint(n->b + n->next->a + n[2].a); printf(\"%s\\n\", n->name); }\n";
  std::string vp = vpBody(src);
  CHECK(contains(vp, "(getguest (+ probe1.n 8))"));
  CHECK(contains(vp, "(setint getguest.addr (getguest (+ probe1.n 24)))"));
  CHECK(contains(vp, "(& (getguest (+ probe1.n 64)) 0xffffffff)"));
  CHECK(contains(vp, "(do (getgueststr str.1 8 (+ probe1.n 16)) str.1)"));
}

TEST_CASE("lowering: sparse structs use their @offsets; memmodel sets pointer size") {
  std::string vp = vpBody("memmodel guest32;\ntypedef struct P { @0x54 lastIntIdx; @0x80 void *q; } P;\nVMM1Hz { P *p = (P *)RBX; logint(p->lastIntIdx + p->q); logint(sizeof(P)); }\n");
  CHECK(contains(vp, "(getguest (+ probe1.p 84))"));
  CHECK(contains(vp, "(& (getguest (+ probe1.p 128)) 0xffffffff)"));
  CHECK(contains(vp, "(logint 132)"));
}

TEST_CASE("lowering: string comparison uses strcmp, casts read guest strings") {
  std::string vp = vpBody("VMM1Hz { if ((string)RDI == \"sshd\") { logint(1); } }\n");
  CHECK(contains(vp, "(== (strcmp (do (getgueststr str.1 RDI) str.1) \"sshd\") 0)"));
}

TEST_CASE("lowering: aggregates split keys by type, bags insert and remove") {
  std::string vp = vpBody("aggr w[1][1]; bag b;\nVMM1Hz { w[\"n\", 5] <- 3; b[7] <- TSC; logint(b[7]); }\n");
  CHECK(contains(vp, "(defaggr w 1 1)\n(defbag b 1024)"));
  CHECK(contains(vp, "(aggr w (5) (\"n\") 3)"));
  CHECK(contains(vp, "(bagput b 7 TSC)"));
  CHECK(contains(vp, "(logint (bagremove b 7))"));
}

TEST_CASE("lowering: functions with bag parameters are specialized per bag") {
  std::string vp = vpBody("bag x, y;\nvoid dump(bag b) { int k, v; foreach (k, v) in b { printf(\"%d %d\\n\", k, v); } }\n"
                          "VMM1Hz { dump(x); dump(y); dump(x); }\n");
  CHECK(contains(vp, "(vprobe VMM1Hz (dump.x) (dump.y) (dump.x))"));
  CHECK(contains(vp, "(bagforeach x dump.x.k dump.x.v"));
  CHECK(contains(vp, "(bagforeach y dump.y.k dump.y.v"));
}

TEST_CASE("lowering: recursive functions keep their locals in let") {
  std::string vp = vpBody("int f(int n) { int t = n * 2; if (n == 0) { return 0; } return t + f(n - 1); }\nVMM1Hz logint(f(2));\n");
  CHECK(contains(vp, "(version \"1.1\")"));
  CHECK(contains(vp, "(let ((f.t 0))"));
  std::string nr = vpBody("int g(int n) { int t = n * 2; return t; }\nVMM1Hz logint(g(2));\n");
  CHECK(contains(nr, "(definteger g.t)"));
  CHECK(contains(nr, "(defun g (n) (setint g.t (* n 2)) g.t)"));
}

TEST_CASE("lowering: a written string parameter writes the caller's string (VP's reference)") {
  std::string vp = vpBody("void f(string s) { s = \"changed\"; logstr(s); }\nstring g;\nVMM1Hz f(g);\n");
  CHECK(contains(vp, "(defun f (s) (setstr s \"changed\") (logstr s))"));
}

TEST_CASE("lowering: increments, compound assignment, ternary, casts") {
  std::string vp = vpBody("int x; int y;\nVMM1Hz { y = x++; y += 2; x = y ? (uint8)x : -1; }\n");
  CHECK(contains(vp, "(setint y (- (setint x (+ x 1)) 1))"));
  CHECK(contains(vp, "(setint y (+ y 2))"));
  CHECK(contains(vp, "(setint x (cond (y (& x 0xff)) (1 (- 1))))"));
}

TEST_CASE("lowering: try/catch maps Emmett error names to the engine's") {
  std::string vp = vpBody("VMM1Hz { try { logint(*(uint64 *)0); } catch (VmkMemAccessError, DivideError) { logint(0); } catch { } }\n");
  CHECK(contains(vp, "(try (logint (getguest 0))\n    (catch (MemAccessError DivideError) (logint 0))\n    (catch () 0))"));
}

TEST_CASE("lowering: loops") {
  std::string vp = vpBody("memmodel guest64;\nvoid bt() { for (rbp = RBP; rbp; rbp = *(uint64 *)rbp) { printf(\"%#x\\n\", *(uint64 *)(rbp + 8)); } }\nVMM1Hz bt();\n");
  CHECK(contains(vp, "(for (setint rbp RBP) rbp (setint rbp (getguest rbp))\n    (printf"));
  CHECK(contains(vp, "(printf \"%#x\\n\" (getguest (+ rbp 8)))"));
}

TEST_CASE("lowering: shared integers") {
  std::string vp = vpBody("pervm int c = 5; perhost uint64 h;\nVMM1Hz { fetchadd(c, 1); cmpxchg(h, 0, 1); c = 2; }\n");
  CHECK(contains(vp, "(defshared c pervm 5)\n(defshared h perhost)"));
  CHECK(contains(vp, "(fetchadd c 1)"));
  CHECK(contains(vp, "(cmpxchg h 0 1)"));
  CHECK(contains(vp, "(setint c 2)"));
}

TEST_CASE("lowering: a chain of early returns is one cond, as an else-if chain is") {
  std::string f = vpBody(
      "string name(int r) {\n  if (r == 1) return \"one\";\n  if (r == 2) return \"two\";\n  return \"many\";\n}\n"
      "VMM1Hz logstr(name(VCPUID));\n");
  CHECK(contains(f, "(defun name (r) (cond ((== r 1) \"one\") ((== r 2) \"two\") (1 \"many\")))"));
  // Statements after the chain stay in the last clause.
  std::string g = vpBody("int f(int r) {\n  if (r) return 1;\n  logint(r);\n  return 2;\n}\nVMM1Hz logint(f(0));\n");
  CHECK(contains(g, "(defun f (r) (cond (r 1) (1 (logint r) 2)))"));
}

TEST_CASE("lowering: the header names the script, not a file it includes first") {
  char dir[] = "/tmp/emmett-hdr.XXXXXX";
  REQUIRE(::mkdtemp(dir));
  std::string inc = std::string(dir) + "/lib.emh";
  std::ofstream(inc) << "int twice(int x) { return 2 * x; }\n";
  std::vector<emmett::SourceFile> files{{std::string(dir) + "/main.emt", "#include \"lib.emh\"\nVMM1Hz logint(twice(1));\n"}};
  emmett::Result r = emmett::compileSources(files, {});
  std::filesystem::remove_all(dir);
  CHECK(r.vp.rfind("; generated by emmett from main.emt\n", 0) == 0);
}

TEST_CASE("lowering: several fields in one declaration, laid out as C does") {
  std::string src =
      "struct frame { uint64 r15, r14; uint32 a, *p, b[3]; uint16 c; };\n"
      "VMM1Hz { struct frame *f = (struct frame *)RSP; logint(f->r14); logint(f->a); logint((uint64)f->p);\n"
      "  logint(f->b[2]); logint(f->c); logint(sizeof(struct frame)); }\n";
  std::string vp = vpBody(src);
  CHECK(contains(vp, "(logint (getguest (+ probe1.f 8)))"));
  CHECK(contains(vp, "(& (getguest (+ probe1.f 16)) 0xffffffff)"));
  CHECK(contains(vp, "(logint (getguest (+ probe1.f 24)))"));          // p: 8-aligned after a
  CHECK(contains(vp, "(& (getguest (+ probe1.f 40)) 0xffffffff)"));  // b[2] = 32 + 2*4
  CHECK(contains(vp, "(& (getguest (+ probe1.f 44)) 0xffff)"));
  CHECK(contains(vp, "(logint 48)"));
  CHECK(firstMessage("struct s { int a, ; };\nVMM1Hz logint(1);\n") == "t.emt:1:19: error: expected a name");
  CHECK(firstMessage("struct s { @8 int a, b; };\nVMM1Hz logint(1);\n") == "t.emt:1:20: error: expected ';' after the field");
}

TEST_CASE("lowering: string parameters are references to the caller's string") {
  std::string vp = vpBody("string s;\nvoid fill(string d) { sprintf(d, \"n %d\", 7); d = d; }\nVMMLoad { fill(s); }\n");
  CHECK(contains(vp, "(defun fill (d) (sprintf d \"n %d\" 7) (setstr d d))"));
  CHECK(!contains(vp, "fill.d"));
  // Integer parameters stay values: a written one is copied.
  CHECK(contains(vpBody("int f(int n) { n = n + 1; return n; }\nVMMLoad { logint(f(1)); }\n"), "(setint f.n n)"));
}

TEST_CASE("lowering: bag inserts raise BagFullError from VP 1.2, else baginsert") {
  CHECK(contains(vpBody("bag b;\nGuest_IRQ { b[1] <- 2; }\n"), "(bagput b 1 2)"));
  emmett::Options o;
  o.target = vp::Version{1, 1};
  CHECK(contains(vpBody("bag b;\nGuest_IRQ { b[1] <- 2; }\n", o), "(baginsert b 1 2)"));
}

TEST_CASE("lowering: logaggr(a, 1) prints keys, count and pct only") {
  std::string vp = vpBody("aggr a[1][1];\nHV_Exit { a[1, \"x\"]++; }\nVMMUnload { logaggr(a, 1); logaggr(a, 0); }\n");
  CHECK(contains(vp, "(printa a \"%0$#x %1$s %count$8d %pct$6d\")"));
  CHECK(contains(vp, "(logaggr a)"));
  CHECK(firstMessage("aggr a[1];\nVMMUnload { logaggr(a, 2); }\n") ==
        "t.emt:2:24: error: the second argument of logaggr must be the constant 0 (every statistic) or 1 (counts only)");
}

TEST_CASE("lowering: the fault-injection built-ins are VP 1.3; setgpr names its register") {
  std::string src = "GUEST:ENTER:0x1000 { setgpr(REG_RCX, 5); setguest(0x2000, 4, 7); "
                    "genmce(0xb000000000000000, 0x1000); skipfunction(); }\n";
  emmett::Result r = compile(src);
  REQUIRE(r.ok);
  CHECK(r.version.str() == "1.3");
  std::string vp = flat(r.vp);
  CHECK(contains(vp, "(setgpr RCX 5)"));
  CHECK(contains(vp, "(setguest 8192 4 7)"));
  CHECK(contains(vp, "(skipfunction)"));
  CHECK_FALSE(compile("VMM1Hz { setgpr(99, 1); }\n").ok);
  CHECK(contains(compile("VMM1Hz { setguest(0x2000, 3, 7); }\n").messages,
                 "the size argument of setguest must be the constant 1, 2, 4 or 8"));
}
