// GUEST:EXIT: (return probes, VP 1.3): the name forms, symbols, the
// version rule, and the arguments a script gets.
#include <catch2/catch.hpp>

#include "vp/tests/harness.h"
#include "vp/guest_symbols.h"
#include "vp/probe_point.h"

namespace {

std::shared_ptr<vp::GuestSymbols> syms() {
  auto s = std::make_shared<vp::GuestSymbols>();
  std::string error;
  REQUIRE(vp::GuestSymbols::parse("ffffffff810a1b20 T do_fork\nffffffffc0001000 t ext4_read [ext4]\n",
                                  "guest.map", *s, error));
  return s;
}

}  // namespace

TEST_CASE("GUEST:EXIT: names an address or a symbol, module-qualified too", "[return-probe]") {
  auto s = syms();
  struct {
    const char* name;
    uint64_t value;
  } cases[] = {{"GUEST:EXIT:0x1000", 0x1000},
               {"GUEST:EXIT:do_fork", 0xffffffff810a1b20ull},
               {"GUEST:EXIT:ext4!ext4_read", 0xffffffffc0001000ull}};
  for (auto& c : cases) {
    vp::ProbePoint p;
    std::string error;
    REQUIRE(vp::parseProbePoint(c.name, p, error, s.get()));
    CHECK(p.kind == vp::ProbePoint::Kind::GuestExit);
    CHECK(p.value == c.value);
    CHECK(p.inGuest());
    CHECK(p.domain() == vp::Domain::Vmm);
  }
  vp::ProbePoint p;
  std::string error;
  CHECK_FALSE(vp::parseProbePoint("GUEST:EXIT:", p, error, s.get()));
  CHECK(error == "GUEST:EXIT: needs a guest linear address, e.g. GUEST:EXIT:0xffffffff81000000");
  CHECK_FALSE(vp::parseProbePoint("GUEST:EXIT:do_exit", p, error, s.get()));
  CHECK(error == "unknown guest symbol 'do_exit' (not in guest.map)");
  CHECK_FALSE(vp::parseProbePoint("VMM:GUEST:EXIT:0x1000", p, error, s.get()));
  CHECK(error == "VMM: does not go before a guest probe; write GUEST:EXIT:0x1000");
  // GUEST:ENTER: stays an entry probe.
  REQUIRE(vp::parseProbePoint("GUEST:ENTER:do_fork", p, error, s.get()));
  CHECK(p.kind == vp::ProbePoint::Kind::Guest);
}

TEST_CASE("GUEST:EXIT: needs VP 1.3", "[return-probe]") {
  CHECK(vptest::diagnosticsOf("(vprobe GUEST:EXIT:0x1000 (logint ARG0))").empty());
  CHECK(vptest::diagnosticsOf("(version \"1.3\") (vprobe GUEST:EXIT:0x1000 1)").empty());
  CHECK_THAT(vptest::diagnosticsOf("(version \"1.2\") (vprobe GUEST:EXIT:0x1000 1)"),
             Catch::Contains("error: the return probe GUEST:EXIT:0x1000 needs VP 1.3; this script "
                             "declares version 1.2"));
  vp::Options old;
  old.version = {1, 2};
  CHECK_THAT(vptest::diagnosticsOf("(vprobe GUEST:EXIT:0x1000 1)", old),
             Catch::Contains("needs VP 1.3; the engine behaves as VP 1.2"));
  CHECK(vptest::diagnosticsOf("(version \"1.2\") (vprobe GUEST:ENTER:0x1000 1)").empty());
}

TEST_CASE("GUEST:EXIT: fires with its arguments in vp run", "[return-probe]") {
  auto r = vptest::runScript(
      "(vprobe GUEST:EXIT:0x1000 (printf \"ret %d ns %d rsp %x\\n\" ARG0 ARG1 ARG2))",
      {"GUEST:EXIT:0x1000:42,1500,0x7ff0"});
  REQUIRE(r.loaded);
  CHECK(r.out == "ret 42 ns 1500 rsp 7ff0\n");
  // The entry probe at the same address is another probe.
  auto e = vptest::runScript("(vprobe GUEST:EXIT:0x1000 (printf \"exit\\n\"))", {"GUEST:0x1000"});
  CHECK(e.out.empty());
}
