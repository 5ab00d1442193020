// Which static probes of table 3-3 this monitor fires: a load warns
// ("never fires") only about the others, and vprobeListProbes lists the
// fired ones. Guest_CR3Write's own warnings (no site found) come from
// vmm::planGuestProbes, not from here.
#include <catch2/catch.hpp>

#include <algorithm>

#include "vmx-engine/src/probes/probe_support.h"

namespace {

class QuietSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view) override {}
  void error(uint64_t, std::string_view) override {}
};

std::vector<std::string> warningsOf(const std::string& src) {
  QuietSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(src, "t.vp", vp::Options{}, sink, diags);
  REQUIRE(script);
  diags.clear();
  vmx::monitorDiagnostics(*script, "t.vp", diags);
  std::vector<std::string> out;
  for (auto& d : diags) out.push_back(d.message);
  return out;
}


bool fires(const char* name) {
  vp::ProbePoint p;
  std::string error;
  REQUIRE(vp::parseProbePoint(name, p, error));
  return vmx::monitorFires(p);
}

bool listed(const char* name) {
  auto names = vmx::monitorProbeNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("probe support: Guest_CR3Write is fired, MAC_SendPacket is not", "[probes]") {
  CHECK(warningsOf("(vprobe Guest_CR3Write (logint ARG0))").empty());
  auto w = warningsOf("(vprobe MAC_SendPacket 1)");
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "probe MAC_SendPacket is valid VP but this monitor never fires it");
  auto names = vmx::monitorProbeNames();
  CHECK(std::find(names.begin(), names.end(), "Guest_CR3Write") != names.end());
}

TEST_CASE("probe support: HV_NPF fires (KVM_EXIT_MMIO), MAC_* does not") {
  CHECK(fires("HV_NPF"));
  CHECK(listed("HV_NPF"));
  CHECK(fires("HV_Exit"));
  CHECK_FALSE(fires("MAC_SendPacket"));
  CHECK_FALSE(listed("MAC_SendPacket"));
}
