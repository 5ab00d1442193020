// The one table of static probes (VP_STATIC_PROBES, vp/probe_point.h):
// every probe is a row with a name that parses back to it, a domain and a
// source, and what vprobeListProbes shows is exactly the rows, in table
// order, then the dynamic forms. The spec rows checked by name below are
// facts of table 3-3 of the reference.
#include <catch2/catch.hpp>

#include <set>

#include "vmx-engine/src/probes/probe_support.h"

namespace {

using SP = vp::StaticProbe;

const vp::StaticProbeInfo& row(SP p) { return vp::staticProbeInfo(p); }

SP parsed(const std::string& name) {
  vp::ProbePoint p;
  std::string error;
  if (!vp::parseProbePoint(name, p, error) || p.kind != vp::ProbePoint::Kind::Static)
    return SP::Count;
  return p.staticId;
}

std::string domainPrefix(vp::Domain d) { return d == vp::Domain::Vmm ? "VMM:" : "VMX:"; }

}  // namespace

TEST_CASE("static probe table: each probe has one row that names it", "[probes]") {
  std::set<std::string> names;
  for (size_t i = 0; i < size_t(SP::Count); ++i) {
    const vp::StaticProbeInfo& info = row(SP(i));
    std::string name(info.name);
    INFO(name);
    REQUIRE(!name.empty());
    CHECK(names.insert(name).second);
    // The name finds this row, also with its domain written before it.
    CHECK(parsed(name) == SP(i));
    CHECK(parsed(domainPrefix(info.domain) + name) == SP(i));
    CHECK(unsigned(info.source) <= unsigned(vp::Source::Net));
    CHECK(vmx::monitorFires(vp::ProbePoint{vp::ProbePoint::Kind::Static, SP(i), 0, name}));
  }
}

TEST_CASE("static probe table: vprobeListProbes lists the rows, then the dynamic forms",
          "[probes]") {
  std::vector<std::string> expected;
  for (size_t i = 0; i < size_t(SP::Count); ++i) expected.emplace_back(row(SP(i)).name);
  for (const char* form : {"USEC:<microseconds>", "GUEST:<linear address>",
                           "GUEST_READ:<linear address>", "GUEST_WRITE:<linear address>"})
    expected.emplace_back(form);
  CHECK(vmx::monitorProbeNames() == expected);
}

TEST_CASE("static probe table: sources and parameters of table 3-3", "[probes]") {
  // Periods in microseconds.
  CHECK(row(SP::VMM1Hz).source == vp::Source::Periodic);
  CHECK(row(SP::VMM1Hz).param == 1000000);
  CHECK(row(SP::VMM10Hz).param == 100000);
  CHECK(row(SP::VMX1Hz).param == 1000000);
  CHECK(row(SP::VMX1Hz).domain == vp::Domain::Vmx);
  // Exception vectors (Intel SDM vol. 3, table 6-1); 9 and 15 are not
  // named exceptions, and the reference calls vector 15 RESERVED_FAULT.
  const std::pair<SP, unsigned> vectors[] = {
      {SP::Guest_DE, 0},  {SP::Guest_DB, 1},  {SP::Guest_NMI, 2}, {SP::Guest_BP, 3},
      {SP::Guest_OF, 4},  {SP::Guest_BR, 5},  {SP::Guest_UD, 6},  {SP::Guest_NM, 7},
      {SP::Guest_DF, 8},  {SP::Guest_TS, 10}, {SP::Guest_NP, 11}, {SP::Guest_SS, 12},
      {SP::Guest_GP, 13}, {SP::Guest_PF, 14}, {SP::Guest_RESERVED_FAULT, 15},
      {SP::Guest_MF, 16}, {SP::Guest_AC, 17}, {SP::Guest_MC, 18}, {SP::Guest_XF, 19}};
  size_t exceptionRows = 0;
  for (size_t i = 0; i < size_t(SP::Count); ++i)
    exceptionRows += row(SP(i)).source == vp::Source::Exception;
  CHECK(exceptionRows == std::size(vectors));
  for (auto [probe, vector] : vectors) {
    INFO(row(probe).name);
    CHECK(row(probe).source == vp::Source::Exception);
    CHECK(row(probe).param == vector);
  }
  // The load and unload probes are the control thread's.
  for (SP p : {SP::VMMLoad, SP::VMMUnload, SP::VMXLoad, SP::VMXUnload})
    CHECK(row(p).source == vp::Source::Control);
  CHECK(row(SP::Guest_CR3Write).source == vp::Source::Breakpoint);
  for (SP p : {SP::Disk_IOStart, SP::Disk_IOFinish}) CHECK(row(p).source == vp::Source::Disk);
  for (SP p : {SP::MAC_SendPacket, SP::MAC_ReceivePacket}) CHECK(row(p).source == vp::Source::Net);
}
