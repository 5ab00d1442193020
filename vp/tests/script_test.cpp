// The engine's contract with its host (vp/vp.h): statuses, errors,
// limits, the register cache, code size.
#include <catch2/catch.hpp>

#include "vp/tests/harness.h"

namespace {

// A target that counts how often each register group is fetched.
class CountingTarget : public vp::SyntheticTarget {
 public:
  using SyntheticTarget::SyntheticTarget;
  bool fetch(vp::RegGroup g, uint64_t* out) override {
    ++fetches[static_cast<int>(g)];
    return SyntheticTarget::fetch(g, out);
  }
  int fetches[8] = {};
};

std::unique_ptr<vp::Script> load(const std::string& src, vp::Sink& sink,
                                 vp::Options o = {}, std::string* diag = nullptr) {
  std::vector<vp::Diagnostic> diags;
  auto s = vp::Script::load(src, "t.vp", o, sink, diags);
  if (diag) {
    for (const auto& d : diags) *diag += d.message + "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("a runtime error ends only the current fire, output before it is kept", "[script]") {
  for (bool interp : {false, true}) {
    auto r = vptest::runScript(
        "(definteger n) (vprobe VMM1Hz (setint n (+ n 1)) (printf \"before %d\\n\" n)"
        " (logint (/ 1 (- n 2))) (printf \"after %d\\n\" n))",
        {"VMM1Hzx3"}, interp);
    CHECK(r.out == "before 1\n0after 1\nbefore 2\nbefore 3\n1after 3\n");
    CHECK(r.err == "t.vp:1:83: runtime error: division by zero (probe VMM1Hz, vcpu 0)\n");
  }
}

TEST_CASE("fire statuses: Ok, Error, Exit", "[script]") {
  vptest::CaptureSink sink;
  auto s = load("(vprobe VMM1Hz 1) (vprobe Guest_IRQ (getguest 0)) (vprobe HV_Exit (exit))", sink);
  REQUIRE(s);
  vp::SyntheticTarget t;
  auto c = s->newContext(t, 0, true);
  CHECK(s->fire(*c, 0, {}) == vp::FireStatus::Ok);
  CHECK(s->fire(*c, 1, {}) == vp::FireStatus::Error);
  CHECK(s->fire(*c, 2, {}) == vp::FireStatus::Exit);
  CHECK(sink.err == "t.vp:1:37: runtime error: guest memory at 0x0 is not mapped (probe Guest_IRQ, vcpu 0)\n");
}

TEST_CASE("the dispatch index lists each static probe's probes in script order", "[script]") {
  vptest::CaptureSink sink;
  auto s = load("(vprobe HV_Exit 1) (vprobe USEC:1000 2) (vprobe VMX:VMXLoad 3)"
                " (vprobe HV_Exit 4) (vprobe GUEST:0x1000 5) (vprobe VMM:HV_Exit 6)",
                sink);
  REQUIRE(s);
  auto on = [&](vp::StaticProbe p) {
    auto span = s->probesOn(p);
    return std::vector<uint32_t>(span.begin(), span.end());
  };
  CHECK(on(vp::StaticProbe::HV_Exit) == std::vector<uint32_t>{0, 3, 5});
  CHECK(on(vp::StaticProbe::VMXLoad) == std::vector<uint32_t>{2});
  CHECK(on(vp::StaticProbe::HV_Resume).empty());
  size_t indexed = 0;
  for (size_t p = 0; p < size_t(vp::StaticProbe::Count); ++p)
    indexed += s->probesOn(vp::StaticProbe(p)).size();
  CHECK(indexed == 4);  // USEC: and GUEST: are not static probes
}

TEST_CASE("each register group is fetched at most once per fire", "[script]") {
  vptest::CaptureSink sink;
  auto s = load("(vprobe VMM1Hz (logint (+ RAX RBX RIP CR3 CR0 RAX)))", sink);
  REQUIRE(s);
  CountingTarget t;
  auto c = s->newContext(t, 0, true);
  s->fire(*c, 0, {});
  s->fire(*c, 0, {});
  CHECK(t.fetches[static_cast<int>(vp::RegGroup::Gpr)] == 2);
  CHECK(t.fetches[static_cast<int>(vp::RegGroup::Sreg)] == 2);
  CHECK(t.fetches[static_cast<int>(vp::RegGroup::Exit)] == 0);
}

TEST_CASE("vCPU state on a VMX thread is a runtime error with the reference's words", "[script]") {
  vptest::CaptureSink sink;
  auto s = load("(vprobe VMX1Hz (printf \"tsc ok %d\\n\" (> TSC 0)) (logint RIP))", sink);
  REQUIRE(s);
  vp::SyntheticTarget t(0, false);
  t.setTsc(5);
  auto c = s->newContext(t, 0, false);
  CHECK(s->fire(*c, 0, {}) == vp::FireStatus::Error);
  CHECK(sink.out == "tsc ok 1\n");
  CHECK(sink.err == "t.vp:1:57: runtime error: VCPU state (RIP) is not available on non-vcpu "
                    "vmx threads (probe VMX1Hz, vmx)\n");
}

TEST_CASE("deep recursion ends with a stack error, wide recursion with the budget", "[script]") {
  for (bool interp : {false, true}) {
    auto deep = vptest::runScript("(defun f (n) (+ 1 (f (+ n 1)))) (vprobe VMM1Hz (logint (f 0)))",
                                  {"VMM1Hz"}, interp);
    CHECK(deep.err.find("VP stack exhausted") != std::string::npos);
    auto wide = vptest::runScript(
        "(defun f (n) (cond ((== n 0) 1) (1 (+ (f (- n 1)) (f (- n 1))))))"
        "(vprobe VMM1Hz (logint (f 30)))",
        {"VMM1Hz"}, interp);
    CHECK(wide.err.find("exceeded its time budget") != std::string::npos);
  }
}

TEST_CASE("a script too big for the translation cache is refused with its size", "[script]") {
  std::string src = "(definteger x) (vprobe VMM1Hz";
  for (int i = 0; i < 400; ++i) src += " (setint x (+ x (* x 3)))";
  src += ")";
  vptest::CaptureSink sink;
  vp::Options o;
  o.maxCodeBytes = 1024;
  std::string diag;
  CHECK_FALSE(load(src, sink, o, &diag));
  CHECK(diag.find("bytes of code but the translation cache holds 1024") != std::string::npos);
  o.maxCodeBytes = 65536;
  CHECK(load(src, sink, o));
  o.maxCodeBytes = 65537;
  diag.clear();
  CHECK_FALSE(load(src, sink, o, &diag));
  CHECK(diag == "vprobe.maxCodeBytes is 65537; it must be between 1 and 65536\n");
}

TEST_CASE("behaving as VP 1.0 refuses newer forms", "[script]") {
  vptest::CaptureSink sink;
  vp::Options o;
  o.version = {1, 0};
  std::string diag;
  CHECK_FALSE(load("(vprobe VMM1Hz (let ((x 1)) x))", sink, o, &diag));
  CHECK(diag == "'let' needs VP 1.1; the engine behaves as VP 1.0\n");
  o.version = {1, 1};
  diag.clear();
  CHECK_FALSE(load("(defshared n pervm) (vprobe VMM1Hz (fetchadd n 1))", sink, o, &diag));
  CHECK(diag == "'defshared' needs VP 1.2; the engine behaves as VP 1.1\n");
}

TEST_CASE("unfinished lines wait for their end, flush at unload", "[script]") {
  auto r = vptest::runScript("(vprobe VMM1Hz (printf \"a\")) (vprobe VMMUnload (printf \"b\"))",
                             {"VMM1Hzx2"});
  CHECK(r.out == "aab");
}

TEST_CASE("strings are truncated at 255 bytes, never overflow", "[script]") {
  for (bool interp : {false, true}) {
    auto r = vptest::runScript(
        "(defstring s) (vprobe VMM1Hz (sprintf s \"%0200d%0200d\" 1 2) (logint (strcmp s s))"
        " (printf \"|%s|\\n\" s))",
        {"VMM1Hz"}, interp);
    std::string want = "0|" + std::string(199, '0') + "1" + std::string(55, '0') + "|\n";
    CHECK(r.out == want);
  }
}
