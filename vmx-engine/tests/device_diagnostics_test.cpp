// The load-time word on device probes: a VM without the device they watch
// says so, per probe, and the script still loads; with it, nothing.
#include <catch2/catch.hpp>

#include "vmx-engine/src/probes/probe_support.h"
#include "vp/ordered_sink.h"

namespace {

std::vector<std::string> warnings(bool disk, bool net) {
  vp::OrderedSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(
      "(vprobe Disk_IOStart 1) (vprobe Disk_IOFinish 1) (vprobe MAC_SendPacket 1)"
      "(vprobe MAC_ReceivePacket 1) (vprobe Out 1)",
      "d.vp", vp::Options{}, sink, diags);
  REQUIRE(script);
  diags.clear();
  vmx::deviceDiagnostics(*script, "d.vp", disk, net, diags);
  std::vector<std::string> out;
  for (auto& d : diags) {
    CHECK(d.severity == vp::Diagnostic::Severity::Warning);
    out.push_back(d.message);
  }
  return out;
}

}  // namespace

TEST_CASE("device diagnostics: a VM with disk and adapter hears nothing") {
  CHECK(warnings(true, true).empty());
}

TEST_CASE("device diagnostics: the demo VM (a disk, no adapter) is told MAC_* never fire") {
  auto w = warnings(true, false);
  REQUIRE(w.size() == 2);
  CHECK(w[0] == "probe MAC_SendPacket is valid VP but this monitor never fires it here: this VM has "
                "no network adapter (ethernet0.present = \"TRUE\")");
  CHECK(w[1].rfind("probe MAC_ReceivePacket is valid VP", 0) == 0);
}

TEST_CASE("device diagnostics: no disk, no Disk_IO*") {
  auto w = warnings(false, true);
  REQUIRE(w.size() == 2);
  CHECK(w[0] == "probe Disk_IOStart is valid VP but this monitor never fires it here: this VM has "
                "no disk (disk0.fileName)");
}
