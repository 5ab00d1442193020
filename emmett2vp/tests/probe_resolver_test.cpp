// Probe names: static probes, domains, periods, guest symbols, globs.
#include <catch2/catch.hpp>
#include <fstream>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

namespace {
emmett::Options withSyms() {
  std::string path = "/tmp/emmett-test-syms-" + std::to_string(::getpid()) + ".map";
  std::ofstream(path) << "ffffffff81000000 T system_call\nffffffff81000100 t sys_read\nffffffff81000200 T sys_write [ext4]\n"
                         "                 U undefined_thing\nffffffff81000300 D jiffies\n";
  emmett::Options o;
  o.symbolFile = path;
  return o;
}
}  // namespace

TEST_CASE("probes: static probes with and without a domain") {
  CHECK(contains(vpBody("VMM:HV_Exit { logint(1); }\n"), "(vprobe HV_Exit (logint 1))"));
  CHECK(contains(vpBody("VMX:VMXLoad { logint(1); }\n"), "(vprobe VMXLoad (logint 1))"));
  CHECK(contains(vpBody("Guest_IRQ(int vector) { logint(vector); }\n"), "(vprobe Guest_IRQ (logint ARG0))"));
}

TEST_CASE("probes: parameters name the probe's arguments") {
  std::string vp = vpBody("VMX:Disk_IOStart(uint64 adapter, uint64 ctrl, uint64 drive, uint64 isRead, ...) { logint(isRead); }\n");
  CHECK(contains(vp, "(vprobe Disk_IOStart (logint ARG3))"));
}

TEST_CASE("probes: a domain that does not match the probe is a warning") {
  emmett::Result r = compile("VMM:Disk_IOStart { logint(1); }\n");
  CHECK(r.ok);
  CHECK(r.messages.substr(0, r.messages.find('\n')) == "t.emt:1:5: warning: probe 'Disk_IOStart' fires in the VMX domain, not VMM");
}

TEST_CASE("probes: periodic probes") {
  CHECK(contains(vpBody("VMM:TIMER:1msec { logint(1); }\n"), "(vprobe USEC:1000 "));
  CHECK(contains(vpBody("TIMER:2sec { logint(1); }\n"), "(vprobe USEC:2000000 "));
  CHECK(contains(vpBody("TIMER:100Hz { logint(1); }\n"), "(vprobe USEC:10000 "));
  CHECK(contains(vpBody("USEC:333333 { logint(1); }\n"), "(vprobe USEC:333333 "));
  CHECK(firstMessage("TIMER:5parsecs { logint(1); }\n") ==
        "t.emt:1:7: error: malformed period '5parsecs' (expected N followed by usec, msec, sec or Hz)");
  CHECK(firstMessage("USEC:0 { logint(1); }\n") == "t.emt:1:6: error: malformed period '0' (expected microseconds)");
}

TEST_CASE("probes: unknown static probes, with a suggestion") {
  CHECK(firstMessage("VMM:HVExit { logint(1); }\n") == "t.emt:1:5: error: unknown static probe 'HVExit' (did you mean 'HV_Exit'?)");
  CHECK(firstMessage("Frobnicate { logint(1); }\n") == "t.emt:1:1: error: unknown static probe 'Frobnicate'");
  CHECK(firstMessage("VMK1Hz { logint(1); }\n") == "t.emt:1:1: error: unknown static probe 'VMK1Hz' (did you mean 'VMM1Hz'?)");
  CHECK(firstMessage("VMK:VMKUnload { logint(1); }\n") ==
        "t.emt:1:1: error: the VMK domain (the ESXi VMkernel) does not exist on this platform; use VMM, VMX or GUEST");
}

TEST_CASE("probes: guest addresses and symbols") {
  CHECK(contains(vpBody("GUEST:0xc0106ae0 { logint(1); }\n"), "(vprobe GUEST:0xc0106ae0 "));
  emmett::Options o = withSyms();
  CHECK(contains(vpBody("GUEST:system_call { logint(1); }\n", o), "(vprobe GUEST:0xffffffff81000000 "));
  CHECK(contains(vpBody("GUEST:ENTER:sys_write { logint(1); }\n", o), "(vprobe GUEST:0xffffffff81000200 "));
  CHECK(contains(vpBody("GUEST:sys_read+0x10 { logint(1); }\n", o), "(vprobe GUEST:0xffffffff81000110 "));
  CHECK(contains(vpBody("GUEST:OFFSET:sys_read:8 { logint(1); }\n", o), "(vprobe GUEST:0xffffffff81000108 "));
  CHECK(contains(vpBody("GUEST_WRITE:jiffies { logint(1); }\n", o), "(vprobe GUEST_WRITE:0xffffffff81000300 "));
  CHECK(contains(vpBody("VMM1Hz { logint(jiffies); }\n", o), "(logint 0xffffffff81000300)"));
}

TEST_CASE("probes: guest probe parameters are the argument registers") {
  CHECK(contains(vpBody("GUEST:0x1000(uint64 fd, char *buf) { logint(fd + buf); }\n"), "(logint (+ RDI RSI))"));
  CHECK(contains(vpBody("memmodel guest32;\nGUEST:0x1000(uint32 fd) { logint(fd); }\n"),
                 "(setint getguest.addr (+ RSP 4))"));
}

TEST_CASE("probes: bad guest addresses and symbols are errors at their place") {
  CHECK(firstMessage("GUEST:0xzz { logint(1); }\n") == "t.emt:1:7: error: malformed guest address '0xzz'");
  CHECK(firstMessage("GUEST:system_call { logint(1); }\n") == "t.emt:1:7: error: guest symbol 'system_call' needs a symbol file (-s FILE)");
  emmett::Options o = withSyms();
  CHECK(firstMessage("GUEST:ENTER:sys_nope { logint(1); }\n", o) == "t.emt:1:13: error: unknown guest symbol 'sys_nope'");
  CHECK(firstMessage("GUEST:EXIT:sys_nope { logint(1); }\n", o) == "t.emt:1:12: error: unknown guest symbol 'sys_nope'");
  CHECK(firstMessage("GUEST:EXIT { logint(1); }\n", o) == "t.emt:1:7: error: GUEST:EXIT needs a symbol");
  CHECK(firstMessage("GUEST:sys_read+zz { logint(1); }\n", o) == "t.emt:1:16: error: malformed offset 'zz' in probe name");
}

TEST_CASE("probes: GUEST:EXIT is a return probe of VP 1.3 whose parameters are ARG0..ARG2") {
  emmett::Options o = withSyms();
  emmett::Result r = compile("GUEST:EXIT:sys_read(uint64 ret, uint64 ns, uint64 rsp) { logint(ret + ns + rsp); }\n", o);
  REQUIRE(r.ok);
  CHECK(contains(r.vp, "(vprobe GUEST:EXIT:0xffffffff81000100 (logint (+ ARG0 ARG1 ARG2)))"));
  CHECK(contains(r.vp, "(version \"1.3\")"));
  CHECK(r.version == vp::Version{1, 3});
  CHECK(contains(vpBody("GUEST:EXIT:0x1000 { logint(1); }\n"), "(vprobe GUEST:EXIT:0x1000 "));
  // The module-qualified spelling resolves as for GUEST:ENTER.
  CHECK(contains(vpBody("GUEST:EXIT:ext4!sys_write { logint(1); }\n", o), "(vprobe GUEST:EXIT:0xffffffff81000200 "));
  CHECK(firstMessage("GUEST:EXIT:sys_read(int a, int b, int c, int d) { logint(a); }\n", o) ==
        "t.emt:1:42: error: probe 'GUEST:EXIT:0xffffffff81000100' has 3 arguments; 4 parameters given");
  o.target = {1, 2};
  CHECK(firstMessage("GUEST:EXIT:sys_read { logint(1); }\n", o).find("VP 1.3") != std::string::npos);
}

TEST_CASE("probes: globs expand to every matching probe, the body once") {
  std::string vp = vpBody("aggr h[0][1];\nSMM_* { h[PROBENAME]++; }\n");
  CHECK(contains(vp, "(defun probe1.body () (aggr h () (PROBENAME) 1))"));
  CHECK(contains(vp, "(vprobe SMM_SMIPre (probe1.body))\n(vprobe SMM_SMIPost (probe1.body))\n(vprobe SMM_RSMPre (probe1.body))\n(vprobe SMM_RSMPost (probe1.body))"));
  emmett::Options o = withSyms();
  std::string g = vpBody("GUEST:sys_* { logint(1); }\n", o);
  CHECK(contains(g, "(vprobe GUEST:0xffffffff81000100 (probe1.body))\n(vprobe GUEST:0xffffffff81000200 (probe1.body))"));
  CHECK(firstMessage("Nothing_* { logint(1); }\n") == "t.emt:1:1: error: probe pattern 'Nothing_*' matches no static probe");
}

TEST_CASE("probes: PROBENAME of a guest probe named by a symbol is that name") {
  emmett::Options o = withSyms();
  std::string g = vpBody("aggr h[0][1];\nGUEST:ENTER:sys_* { h[PROBENAME]++; }\n", o);
  CHECK(contains(g, "(defun probe1.body () (aggr h () (probe.name) 1))"));
  CHECK(contains(g, "(setstr probe.name \"GUEST:ENTER:sys_read\")"));
  CHECK(contains(g, "(setstr probe.name \"GUEST:ENTER:sys_write\")"));
  std::string one = vpBody("GUEST:sys_read+0x10 { logstr(PROBENAME); }\n", o);
  CHECK(contains(one, "(logstr \"GUEST:sys_read+0x10\")"));
  // Address-named and static probes keep the engine's PROBENAME.
  CHECK(contains(vpBody("GUEST:0x1000 { logstr(PROBENAME); }\n", o), "(logstr PROBENAME)"));
  std::string f = vpBody("void n() { logstr(PROBENAME); }\nGUEST:sys_read { n(); }\nHV_Exit { n(); }\n", o);
  CHECK(contains(f, "(defun n () (logstr probe.name))"));
  CHECK(contains(f, "(setstr probe.name \"GUEST:sys_read\")"));
  CHECK(contains(f, "(vprobe HV_Exit (setstr probe.name PROBENAME) (n))"));
}

TEST_CASE("probes: parameter counts are checked") {
  CHECK(firstMessage("Guest_IRQ(int a, int b) { logint(a); }\n") ==
        "t.emt:1:18: error: probe 'Guest_IRQ' has 1 argument; 2 parameters given");
  CHECK(firstMessage("USEC:10(int a) { logint(a); }\n") == "t.emt:1:9: error: probe 'USEC:10' has no arguments");
}

TEST_CASE("probes: malformed symbol files are errors at their line") {
  std::string path = "/tmp/emmett-test-badsyms-" + std::to_string(::getpid());
  std::ofstream(path) << "ffffffff81000000 T ok\nnot a symbol line at all\n";
  emmett::Options o;
  o.symbolFile = path;
  CHECK(firstMessage("VMM1Hz { logint(1); }\n", o) == path + ":2:1: error: malformed symbol line (expected 'ADDRESS TYPE NAME', as nm or System.map print)");
}
