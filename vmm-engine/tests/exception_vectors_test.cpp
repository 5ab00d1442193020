// The exception probes' vectors come from the static probe table: each
// Guest_<exception> row maps to its vector and back, and no other vector
// has a name.
#include <catch2/catch.hpp>

#include <string>

#include "vmm-engine/src/probes/exception_vectors.h"

TEST_CASE("exception vectors: each exception row maps to its vector and back", "[probes]") {
  unsigned named = 0;
  for (unsigned v = 0; v < vmm::exc::kVectors; ++v) {
    std::string name = vmm::exc::probeName(v);
    INFO("vector " << v << ": " << name);
    if (name == "Guest_?") continue;
    ++named;
    vp::ProbePoint p;
    std::string error;
    REQUIRE(vp::parseProbePoint(name, p, error));
    CHECK(vmm::exc::vectorOf(p.staticId) == v);
  }
  CHECK(named == 19);  // 0-8 and 10-19: 9 and 20-31 are not in table 3-3
  CHECK(std::string(vmm::exc::probeName(9)) == "Guest_?");
  CHECK(std::string(vmm::exc::probeName(14)) == "Guest_PF");
  CHECK(!vmm::exc::vectorOf(vp::StaticProbe::HV_Exit));
  CHECK(!vmm::exc::vectorOf(vp::StaticProbe::Guest_CR3Write));
}
