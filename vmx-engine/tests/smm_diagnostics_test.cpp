// The load-time word on SMM probes: silent where the VM has SMM, one
// warning per SMM probe, saying why, where it has none.
#include <catch2/catch.hpp>

#include "vmx-engine/src/probes/probe_support.h"
#include "vp/ordered_sink.h"

namespace {

std::vector<vp::Diagnostic> diagnose(const char* source, const std::string& refusal) {
  vp::OrderedSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(source, "s.vp", vp::Options{}, sink, diags);
  REQUIRE(script);
  REQUIRE(diags.empty());
  vmx::monitorDiagnostics(*script, "s.vp", diags);
  vmx::smmDiagnostics(*script, "s.vp", refusal, diags);
  return diags;
}

constexpr const char* kAll = "(vprobe SMM_SMIPre (logint 1)) (vprobe SMM_SMIPost (logint 2))"
                             "(vprobe SMM_RSMPre (logint 3)) (vprobe SMM_RSMPost (logint 4))"
                             "(vprobe Out (logint 5))";

}  // namespace

TEST_CASE("smm diagnostics: a VM with SMM fires every SMM probe, no warning") {
  CHECK(diagnose(kAll, "").empty());
}

TEST_CASE("smm diagnostics: a host that refuses SMM is named at load, per SMM probe") {
  const std::string why = "the host's KVM refuses System Management Mode (no KVM_CAP_X86_SMM)";
  auto diags = diagnose(kAll, why);
  REQUIRE(diags.size() == 4);
  const char* names[] = {"SMM_SMIPre", "SMM_SMIPost", "SMM_RSMPre", "SMM_RSMPost"};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(diags[i].severity == vp::Diagnostic::Severity::Warning);
    CHECK(diags[i].message == std::string("probe ") + names[i] +
                                  " is valid VP but this monitor never fires it here: " + why +
                                  "; writes to port 0xb2 raise no SMI");
  }
}

TEST_CASE("smm diagnostics: scripts without SMM probes hear nothing of it") {
  CHECK(diagnose("(vprobe Out (logint 1))", "no SMM here").empty());
}
