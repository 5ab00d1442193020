// The VP-to-Emmett source map (vp_source_map.h) and scripts of several
// files (compileSources).
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"
#include "emmett2vp/vp_error_mapper.h"

using namespace emmett::test;

namespace {

// The VP position of the first occurrence of `needle` in `vp`.
emmett::VpPosition positionOf(const std::string& vp, const std::string& needle) {
  size_t at = vp.find(needle);
  REQUIRE(at != std::string::npos);
  size_t lineStart = vp.rfind('\n', at);
  lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
  uint32_t line = 1;
  for (size_t i = 0; i < lineStart; ++i) line += vp[i] == '\n';
  return {line, static_cast<uint32_t>(at - lineStart + 1)};
}

// "file:line:col" of the Emmett code that VP text `needle` came from.
std::string originOf(const emmett::Result& r, const std::string& needle) {
  auto from = r.sourceMap.find(positionOf(r.vp, needle));
  if (!from) return "(none)";
  return from->file + ":" + std::to_string(from->line) + ":" + std::to_string(from->col);
}

}  // namespace

TEST_CASE("source map: each VP form points at the Emmett code it came from") {
  emmett::Result r = compile(
      "int n;\n"
      "VMM1Hz {\n"
      "  n = 0;\n"
      "  logint(100 / n);\n"
      "  printf(\"%x\\n\", RIP);\n"
      "}\n");
  REQUIRE(r.ok);
  CHECK(originOf(r, "(vprobe VMM1Hz") == "t.emt:2:1");
  // Operators are placed at the operator, as the compiler's own errors are.
  CHECK(originOf(r, "(setint n 0)") == "t.emt:3:5");
  CHECK(originOf(r, "(logint") == "t.emt:4:3");
  CHECK(originOf(r, "(/ 100 n)") == "t.emt:4:14");
  CHECK(originOf(r, "n))") == "t.emt:4:16");
  CHECK(originOf(r, "RIP)") == "t.emt:5:18");
  CHECK(originOf(r, "(definteger n)") == "t.emt:1:5");
  CHECK(originOf(r, "; generated") == "(none)");
}

TEST_CASE("source map: guest reads, functions and statement forms") {
  emmett::Result r = compile(
      "int f(int *p) {\n"
      "  if (*p > 2) {\n"
      "    return 1;\n"
      "  }\n"
      "  return 0;\n"
      "}\n"
      "VMM1Hz logint(f((int *)RSP));\n");
  REQUIRE(r.ok);
  CHECK(originOf(r, "(defun f") == "t.emt:1:5");
  CHECK(originOf(r, "(cond") == "t.emt:2:3");
  CHECK(originOf(r, "(getguest") == "t.emt:2:7");
  CHECK(originOf(r, "(f RSP)") == "t.emt:7:15");
}

TEST_CASE("several files: one script, positions kept per file") {
  std::vector<emmett::SourceFile> files;
  files.push_back({"defs.emt", "#define LIMIT 3\naggr hits[1];\n"});
  files.push_back({"probe.emt", "\nVMM1Hz {\n  hits[LIMIT]++;\n}\n"});
  emmett::Result r = emmett::compileSources(files, {});
  REQUIRE(r.ok);
  CHECK(contains(r.vp, "(aggr hits (3) () 1)"));
  CHECK(originOf(r, "(defaggr hits") == "defs.emt:2:6");
  CHECK(originOf(r, "(aggr hits") == "probe.emt:3:7");

  files[1].text = "VMM1Hz {\n  hits[LIMIT, 1]++;\n}\n";
  emmett::Result bad = emmett::compileSources(files, {});
  CHECK_FALSE(bad.ok);
  CHECK(bad.messages.substr(0, bad.messages.find('\n')) ==
        "probe.emt:2:7: error: aggregate 'hits' takes 1 key, got 2");
}

TEST_CASE("several files: an #if or comment left open ends with its file") {
  std::vector<emmett::SourceFile> files;
  files.push_back({"a.emt", "#if 1\nVMM1Hz logint(1);\n"});
  files.push_back({"b.emt", "#endif\n"});
  emmett::Result r = emmett::compileSources(files, {});
  CHECK_FALSE(r.ok);
  CHECK(contains(r.messages, "a.emt:1:1: error: unterminated conditional directive"));
  CHECK(contains(r.messages, "b.emt:1:1: error: #endif without #if"));
}

TEST_CASE("several files: an unreadable file is an error before anything compiles") {
  emmett::Result r = emmett::compileFiles({"/nonexistent/x.emt"}, {});
  CHECK_FALSE(r.ok);
  CHECK(r.messages == "error: cannot read '/nonexistent/x.emt'\n");
}

TEST_CASE("a directory given as a script is unreadable, not an empty script") {
  emmett::Result r = emmett::compileFiles({"/tmp"}, {});
  CHECK_FALSE(r.ok);
  CHECK(r.messages == "error: cannot read '/tmp'\n");
}

TEST_CASE("error mapper: the engine's messages about generated VP point at the Emmett line") {
  emmett::Result r = compile("int n;\nVMM1Hz {\n  n = 0;\n  logint(100 / n);\n}\n");
  REQUIRE(r.ok);
  emmett::VpPosition div = positionOf(r.vp, "(/ 100 n)");
  std::string at = std::to_string(div.line) + ":" + std::to_string(div.col);
  emmett::VpErrorMapper m("t.emt (generated VP)", r.sourceMap);
  CHECK(m.runtimeLine("t.emt (generated VP):" + at + ": runtime error: division by zero (probe VMM1Hz, vcpu 1)") ==
        "t.emt:4:14: runtime error: division by zero (probe VMM1Hz, vcpu 1) [generated VP " + at + "]");
  // Lines about other scripts, and positions outside every form, pass through.
  CHECK(m.runtimeLine("other.vp:" + at + ": runtime error: x") == "other.vp:" + at + ": runtime error: x");
  CHECK(m.runtimeLine("t.emt (generated VP):1:1: runtime error: x") == "t.emt (generated VP):1:1: runtime error: x");
  CHECK(m.runtimeLine("t.emt (generated VP):x:1: y") == "t.emt (generated VP):x:1: y");
  CHECK(m.runtimeLine("t.emt (generated VP)") == "t.emt (generated VP)");
  CHECK(m.runtimeLine("") == "");
  std::string diag = "t.emt (generated VP):" + at + ": error: too many probes\n  (/ 100 n)\n  ^";
  CHECK(m.loadDiagnostic(diag) == diag + "\nt.emt:4:14: note: the VP error above (generated VP " + at + ") comes from here");
  CHECK(m.loadDiagnostic("t.emt (generated VP):1:1: warning: w") == "t.emt (generated VP):1:1: warning: w");
}
