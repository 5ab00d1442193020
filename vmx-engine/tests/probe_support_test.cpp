// What a load says about probes this monitor fires and does not: no
// "never fires" warning for Guest_CR3Write (the guest probes find its
// sites; their own warnings come from vmm::planGuestProbes), one for a
// probe with nothing behind it.
#include <catch2/catch.hpp>

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

}  // namespace

TEST_CASE("probe support: Guest_CR3Write is fired, MAC_SendPacket is not", "[probes]") {
  CHECK(warningsOf("(vprobe Guest_CR3Write (logint ARG0))").empty());
  auto w = warningsOf("(vprobe MAC_SendPacket 1)");
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "probe MAC_SendPacket is valid VP but this monitor never fires it");
  auto names = vmx::monitorProbeNames();
  CHECK(std::find(names.begin(), names.end(), "Guest_CR3Write") != names.end());
}
