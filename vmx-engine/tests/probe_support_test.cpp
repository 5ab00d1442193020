// Which static probes of table 3-3 this monitor fires: a load warns
// ("never fires") only about the others, and vprobeListProbes lists the
// fired ones.
#include <catch2/catch.hpp>

#include <algorithm>

#include "vmx-engine/src/probes/probe_support.h"

namespace {

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

TEST_CASE("probe support: HV_NPF fires (KVM_EXIT_MMIO), MAC_* does not") {
  CHECK(fires("HV_NPF"));
  CHECK(listed("HV_NPF"));
  CHECK(fires("HV_Exit"));
  CHECK_FALSE(fires("MAC_SendPacket"));
  CHECK_FALSE(listed("MAC_SendPacket"));
}
