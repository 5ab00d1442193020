// VP as the 2011 Emmett compiler printed it: guest symbol files and the
// probe names they resolve (the compat-tests cover the rest through `vp`).
#include <catch2/catch.hpp>

#include "vp/guest_symbols.h"
#include "vp/probe_point.h"

namespace {

vp::GuestSymbols symbols(std::string_view text) {
  vp::GuestSymbols s;
  std::string error;
  REQUIRE(vp::GuestSymbols::parse(text, "guest.map", s, error));
  return s;
}

}  // namespace

TEST_CASE("symbol files read nm, System.map and kallsyms lines", "[old-vp]") {
  auto s = symbols(
      "ffffffff81000000 T _text\n"
      "                 U printk\n"
      "\n"
      "0xffffffff810a1b20 t do_fork\r\n"
      "ffffffffa0002000 t ext4_readpage\t[ext4]\n"
      "ffffffff81ffffff T do_fork\n");
  CHECK(s.size() == 3);
  CHECK(s.find("_text") == 0xffffffff81000000ull);
  CHECK(s.find("do_fork") == 0xffffffff810a1b20ull);  // the first one wins
  CHECK(s.find("ext4_readpage") == 0xffffffffa0002000ull);
  CHECK_FALSE(s.find("printk"));
  CHECK(s.source() == "guest.map");
}

TEST_CASE("a malformed symbol line is named by file and line", "[old-vp]") {
  vp::GuestSymbols s;
  std::string error;
  CHECK_FALSE(vp::GuestSymbols::parse("ffff T a\nzzzz T b\n", "g.syms", s, error));
  CHECK(error.rfind("g.syms:2: malformed symbol line", 0) == 0);
  CHECK_FALSE(vp::GuestSymbols::parse("1 TT name\n", "g.syms", s, error));
  CHECK_FALSE(vp::GuestSymbols::parse("12345678901234567 T name\n", "g.syms", s, error));
}

TEST_CASE("symbol files carry module names the 2011 way, and WinDbg addresses", "[old-vp]") {
  auto s = symbols(
      "fffff800`02a4b1c0 T nt!NtClose\n"
      "ffffffffa0002000 t ext4_lookup [ext4]\n"
      "fffff800`02a4b200 T hal!NtClose\n");
  CHECK(s.find("nt!NtClose") == 0xfffff80002a4b1c0ull);
  CHECK(s.find("NtClose") == 0xfffff80002a4b1c0ull);  // the first module's
  CHECK(s.find("hal!NtClose") == 0xfffff80002a4b200ull);
  CHECK(s.find("ext4!ext4_lookup") == 0xffffffffa0002000ull);
  CHECK(s.find("ext4_lookup") == 0xffffffffa0002000ull);
  REQUIRE(s.all().size() == 3);  // as the file spells them, in its order
  CHECK(s.all()[0].first == "nt!NtClose");
  CHECK(s.all()[2].first == "hal!NtClose");
  vp::GuestSymbols bad;
  std::string error;
  CHECK_FALSE(vp::GuestSymbols::parse("fffff80`002a4b1c0 T x\n", "w.syms", bad, error));
}

TEST_CASE("every malformed line is listed, up to a bound", "[old-vp]") {
  std::vector<size_t> bad;
  auto s = vp::GuestSymbols::parseAll("1 T a\nnot a line\n2 T b\nzz T c\nq\n", bad, 10);
  CHECK(bad == std::vector<size_t>{2, 4, 5});
  CHECK(s.find("b") == 2u);
  bad.clear();
  vp::GuestSymbols::parseAll("x\ny\nz\n3 T c\n", bad, 2);
  CHECK(bad == std::vector<size_t>{1, 2});
}

TEST_CASE("GUEST:symbol and GUEST:ENTER:symbol resolve to the symbol's address", "[old-vp]") {
  auto s = symbols("ffffffff810a1b20 T do_fork\n");
  for (const char* name : {"GUEST:do_fork", "GUEST:ENTER:do_fork"}) {
    vp::ProbePoint p;
    std::string error;
    REQUIRE(vp::parseProbePoint(name, p, error, &s));
    CHECK(p.kind == vp::ProbePoint::Kind::Guest);
    CHECK(p.value == 0xffffffff810a1b20ull);
    CHECK(p.name == name);
  }
  vp::ProbePoint p;
  std::string error;
  CHECK_FALSE(vp::parseProbePoint("GUEST:do_exit", p, error, &s));
  CHECK(error == "unknown guest symbol 'do_exit' (not in guest.map)");
  CHECK_FALSE(vp::parseProbePoint("GUEST:do_fork", p, error, nullptr));
  CHECK(error.find("no guest symbols were given") != std::string::npos);
}

TEST_CASE("TIMER periods are microseconds, checked for overflow", "[old-vp]") {
  vp::ProbePoint p;
  std::string error;
  REQUIRE(vp::parseProbePoint("TIMER:18446744073709sec", p, error));
  CHECK(p.kind == vp::ProbePoint::Kind::Usec);
  CHECK(p.value == 18446744073709000000ull);
  CHECK_FALSE(vp::parseProbePoint("TIMER:18446744073710sec", p, error));
  REQUIRE(vp::parseProbePoint("VMM:TIMER:18446744073709551615usec", p, error));
  CHECK(p.value == UINT64_MAX);
  CHECK(p.domain() == vp::Domain::Vmm);
}
