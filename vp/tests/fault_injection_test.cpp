// The destructive built-ins of VP 1.3 (setgpr, setguest, skipfunction,
// genmce): the load-time gate (fault injection on or off, the version,
// where skipfunction may be), and what they do to a synthetic vCPU, the
// same under the JIT and the interpreter.
#include <catch2/catch.hpp>

#include "vp/synthetic_target.h"
#include "vp/tests/harness.h"

namespace {

vp::Options faultsOn(bool interpret = false) {
  vp::Options o;
  o.faultInjectionOff.clear();
  o.interpret = interpret;
  return o;
}

// A loaded script and one vCPU (or VMX thread) context to fire it on.
struct Fixture {
  vptest::CaptureSink sink;
  vp::SyntheticTarget target;
  std::unique_ptr<vp::Script> script;
  std::unique_ptr<vp::Context> ctx;
  std::string diagnostics;

  Fixture(const std::string& src, bool interpret, bool isVcpu = true) : target(0, isVcpu) {
    std::vector<vp::Diagnostic> diags;
    script = vp::Script::load(src, "t.vp", faultsOn(interpret), sink, diags);
    for (const auto& d : diags) diagnostics += d.render(src);
    if (script) ctx = script->newContext(target, 0, isVcpu);
  }
  vp::FireStatus fire(size_t probe) {
    vp::FireStatus s = script->fire(*ctx, probe, {});
    ctx->flush();
    return s;
  }
};

const char* kDestructive[] = {"(setgpr RAX 1)", "(setguest 0x1000 8 1)", "(skipfunction 0)",
                              "(genmce 0x8000000000000000 0)"};

}  // namespace

TEST_CASE("destructive built-ins are refused unless fault injection is on", "[fault]") {
  for (const char* call : kDestructive) {
    INFO(call);
    std::string src = std::string("(vprobe GUEST:ENTER:0x1000 ") + call + ")";
    std::string name = std::string(call + 1, std::string_view(call + 1).find(' '));
    CHECK_THAT(vptest::diagnosticsOf(src),
               Catch::Contains("'" + name + "' changes the guest, and fault injection is off"));
    vp::Options o;
    o.faultInjectionOff = "add vprobe.faultInjection = \"TRUE\" to x.vmx";
    CHECK_THAT(vptest::diagnosticsOf(src, o), Catch::Contains("vprobe.faultInjection = \"TRUE\" to x.vmx"));
    CHECK(vptest::diagnosticsOf(src, faultsOn()).empty());
  }
  // Read-only scripts do not mind.
  CHECK(vptest::diagnosticsOf("(vprobe VMM1Hz (logint RAX))").empty());
}

TEST_CASE("destructive built-ins need VP 1.3", "[fault]") {
  CHECK_THAT(vptest::diagnosticsOf("(version \"1.2\") (vprobe VMM1Hz (setgpr RAX 1))", faultsOn()),
             Catch::Contains("'setgpr' needs VP 1.3; this script declares version 1.2"));
  vp::Options old = faultsOn();
  old.version = {1, 2};
  CHECK_THAT(vptest::diagnosticsOf("(vprobe VMM1Hz (genmce 1 2))", old),
             Catch::Contains("'genmce' needs VP 1.3; the engine behaves as VP 1.2"));
}

TEST_CASE("destructive built-ins check their arguments at load", "[fault]") {
  auto diag = [](const std::string& body) {
    return vptest::diagnosticsOf("(vprobe VMM1Hz " + body + ")", faultsOn());
  };
  CHECK_THAT(diag("(setgpr RIP 1)"), Catch::Contains("expected a general register's name here"));
  CHECK_THAT(diag("(setgpr 0 1)"), Catch::Contains("expected a general register's name here"));
  CHECK_THAT(diag("(setguest 0x1000 3 1)"),
             Catch::Contains("the size of a guest write is the literal 1, 2, 4 or 8"));
  CHECK_THAT(diag("(genmce 1)"), Catch::Contains("'genmce' takes 2 or 3 arguments, got 1"));
  CHECK(diag("(setgpr R15 1)").empty());
  CHECK(diag("(genmce 1 2 3)").empty());
}

TEST_CASE("skipfunction is only for a function's entry", "[fault]") {
  CHECK_THAT(vptest::diagnosticsOf("(vprobe VMM1Hz (skipfunction 0))", faultsOn()),
             Catch::Contains("VMM1Hz is not at a function's entry"));
  CHECK_THAT(vptest::diagnosticsOf("(vprobe GUEST:0x1000 (skipfunction 0))", faultsOn()),
             Catch::Contains("GUEST:0x1000 is not at a function's entry"));
  CHECK(vptest::diagnosticsOf("(vprobe GUEST:ENTER:0x1000 (skipfunction))", faultsOn()).empty());
  // Through a function, the probe is only known when it runs.
  for (bool interpret : {false, true}) {
    Fixture f("(defun skip () (skipfunction 7)) (vprobe VMM1Hz (skip))", interpret);
    REQUIRE(f.script);
    CHECK(f.fire(0) == vp::FireStatus::Error);
    CHECK_THAT(f.sink.err, Catch::Contains("skipfunction: probe VMM1Hz is not at a function's entry"));
    CHECK(f.target.changes().empty());
  }
}

TEST_CASE("destructive built-ins change the vCPU, the same under both back ends", "[fault]") {
  const std::string src =
      "(vprobe GUEST:ENTER:0x1000"
      "  (setgpr RBX (+ RBX 1))"
      "  (setguest 0x2004 2 0xbeef)"
      "  (printf \"rbx %x mem %x\\n\" RBX (getguest 0x2000))"
      "  (genmce 0xb000000000000135 0x1234000 1)"
      "  (skipfunction 0x55)"
      "  (printf \"rip %x rsp %x rax %x\\n\" RIP RSP RAX))";
  std::string outs[2];
  std::vector<std::string> changes[2];
  for (int interpret = 0; interpret < 2; ++interpret) {
    Fixture f(src, interpret);
    REQUIRE(f.script);
    f.target.set(vp::Global::RBX, 0x41);
    f.target.set(vp::Global::RSP, 0x3000);
    f.target.set(vp::Global::RIP, 0x1000);
    f.target.addMemory(0x2000, std::vector<uint8_t>(8, 0x11));
    f.target.addMemory(0x3000, {0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0});
    CHECK(f.fire(0) == vp::FireStatus::Ok);
    outs[interpret] = f.sink.out;
    changes[interpret] = f.target.changes();
  }
  CHECK(outs[0] == "rbx 42 mem 1111beef11111111\nrip 12345678 rsp 3008 rax 55\n");
  CHECK(outs[1] == outs[0]);
  REQUIRE(changes[0].size() == 4);
  CHECK(changes[0][3] == "GUEST:ENTER:0x1000: skipfunction: return to 0x12345678, RAX = 0x55");
  CHECK_THAT(changes[0][2], Catch::Contains("machine check: bank 1 status 0xb000000000000135 addr 0x1234000"));
  CHECK(changes[1] == changes[0]);
}

TEST_CASE("a bad guest address is a MemAccessError, a VMX thread has no vCPU to change",
          "[fault]") {
  for (bool interpret : {false, true}) {
    Fixture f("(vprobe VMM1Hz (try (setguest 0x5000 8 1) (catch (MemAccessError) (printf \"caught\\n\"))))",
              interpret);
    REQUIRE(f.script);
    CHECK(f.fire(0) == vp::FireStatus::Ok);
    CHECK(f.sink.out == "caught\n");
    CHECK(f.target.changes().empty());

    Fixture vmx("(vprobe VMXLoad (setgpr RAX 1))", interpret, false);
    REQUIRE(vmx.script);
    CHECK(vmx.fire(0) == vp::FireStatus::Error);
    CHECK_THAT(vmx.sink.err, Catch::Contains("VCPU state (RAX) is not available on non-vcpu vmx threads"));
  }
}
