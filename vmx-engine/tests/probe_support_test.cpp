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

TEST_CASE("probe support: every static probe of table 3-3 fires and is listed", "[probes]") {
  for (size_t i = 0; i < size_t(vp::StaticProbe::Count); ++i) {
    std::string name(vp::staticProbeInfo(vp::StaticProbe(i)).name);
    INFO(name);
    CHECK(fires(name.c_str()));
    CHECK(listed(name.c_str()));
    CHECK(warningsOf("(vprobe " + name + " 1)").empty());
  }
}

TEST_CASE("probe support: a period below the minimum is an error", "[probes]") {
  auto w = warningsOf("(vprobe USEC:1 1)");
  REQUIRE(w.size() == 1);
  CHECK(w[0].find("at most every") != std::string::npos);
}
