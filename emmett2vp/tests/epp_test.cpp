// EPP: macros, conditionals, includes, and positions through the line map.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;
namespace fs = std::filesystem;

namespace {
std::string tempDir() {
  fs::path d = fs::temp_directory_path() / ("emmett-epp-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d.string();
}
void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
}  // namespace

TEST_CASE("epp: object-like macros expand outside strings and comments") {
  std::string vp = vpBody("#define N 42\n#define MSG \"N\"\nVMM1Hz { printf(\"N=%d \" MSG \"\\n\", N); } // N\n");
  CHECK(contains(vp, "(printf \"N=%d N\\n\" 42)"));
}

TEST_CASE("epp: a macro is not re-expanded inside itself") {
  std::string vp = vpBody("#define A B\n#define B A\nint A;\nVMM1Hz { logint(A); }\n");
  CHECK(contains(vp, "(definteger u.A)"));
  CHECK(contains(vp, "(logint u.A)"));
}

TEST_CASE("epp: numbers such as 1msec are not split by macros") {
  std::string vp = vpBody("#define msec oops\nVMM:TIMER:1msec { logint(1); }\n");
  CHECK(contains(vp, "(vprobe USEC:1000 (logint 1))"));
}

TEST_CASE("epp: #if, #elif, #else, defined and -D") {
  std::string src =
      "#if defined(FAST) && FAST > 1\nVMM1Hz { logint(1); }\n#elif defined FAST\nVMM1Hz { logint(2); }\n"
      "#else\nVMM1Hz { logint(3); }\n#endif\n";
  emmett::Options o;
  CHECK(contains(vpBody(src, o), "(logint 3)"));
  o.defines = {{"FAST", "1"}};
  CHECK(contains(vpBody(src, o), "(logint 2)"));
  o.defines = {{"FAST", "2"}};
  CHECK(contains(vpBody(src, o), "(logint 1)"));
}

TEST_CASE("epp: predefined __version__ and __kvm__; __esx__ is not defined") {
  std::string vp = vpBody(
      "#if __version__ >= 103 && defined(__kvm__) && !defined(__esx__) && !defined(__desktop__)\n"
      "VMM1Hz { logint(__version__); }\n#endif\n");
  CHECK(contains(vp, "(logint 103)"));  // the engine's own: VP 1.3
  emmett::Options o;
  o.target = {1, 0};
  CHECK(contains(vpBody("VMM1Hz { logint(__version__); }\n", o), "(logint 100)"));
}

TEST_CASE("epp: #undef and #ifndef") {
  CHECK(contains(vpBody("#define A 1\n#undef A\n#ifndef A\nVMM1Hz { logint(7); }\n#endif\n"), "(logint 7)"));
}

TEST_CASE("epp: directives inside comments are ignored") {
  CHECK(contains(vpBody("/*\n#error no\n*/\nVMM1Hz { logint(1); }\n"), "(logint 1)"));
}

TEST_CASE("epp: #error and #warning") {
  CHECK(firstMessage("#error stop here\n") == "t.emt:1:1: error: #error stop here");
  emmett::Result r = compile("#warning careful\nVMM1Hz { logint(1); }\n");
  CHECK(r.ok);
  CHECK(r.messages.substr(0, r.messages.find('\n')) == "t.emt:1:1: warning: #warning careful");
}

TEST_CASE("epp: conditional errors") {
  CHECK(firstMessage("#endif\n") == "t.emt:1:1: error: #endif without #if");
  CHECK(firstMessage("#else\n") == "t.emt:1:1: error: #else without #if");
  CHECK(firstMessage("#if 1\n") == "t.emt:1:1: error: unterminated conditional directive");
  CHECK(firstMessage("#if 1 +\n#endif\n") == "t.emt:1:5: error: expected a value at the end of the #if expression");
  CHECK(firstMessage("#if 1/0\n#endif\n") == "t.emt:1:5: error: division by zero in #if expression");
  CHECK(firstMessage("#foo\n") == "t.emt:1:1: error: unknown preprocessor directive '#foo'");
  CHECK(firstMessage("#define F(x) x\n") ==
        "t.emt:1:9: error: macro 'F' has arguments; EPP supports only object-like macros");
}

TEST_CASE("epp: #line changes reported positions") {
  CHECK(firstMessage("#line 100 \"other.emt\"\nVMM1Hz { y; }\n") == "other.emt:100:10: error: unknown identifier 'y'");
}

TEST_CASE("epp: errors after a macro expansion point at the original column") {
  CHECK(firstMessage("#define TWO 2\nVMM1Hz { logint(TWO + zz); }\n") == "t.emt:2:23: error: unknown identifier 'zz'");
  CHECK(firstMessage("#define BAD zz\nVMM1Hz { logint(BAD); }\n") == "t.emt:2:17: error: unknown identifier 'zz'");
}

TEST_CASE("epp: includes resolve relative to the includer, then -I; errors point into the included file") {
  std::string d = tempDir();
  fs::create_directories(d + "/sub");
  fs::create_directories(d + "/inc");
  write(d + "/sub/a.emh", "int fromA;\n#include \"b.emh\"\n");
  write(d + "/sub/b.emh", "\n\nVMM1Hz { oops; }\n");
  write(d + "/inc/c.emh", "int fromC;\n");
  write(d + "/main.emt", "#include \"sub/a.emh\"\n#include <c.emh>\n");
  emmett::Options o;
  o.includeDirs = {d + "/inc"};
  emmett::Result r = emmett::compileFile(d + "/main.emt", o);
  REQUIRE_FALSE(r.ok);
  CHECK(r.messages.substr(0, r.messages.find('\n')) == d + "/sub/b.emh:3:10: error: unknown identifier 'oops'");
  CHECK(contains(r.messages, "VMM1Hz { oops; }\n         ^\n"));
}

TEST_CASE("epp: include cycles and missing files are errors") {
  std::string d = tempDir();
  write(d + "/x.emh", "#include \"y.emh\"\n");
  write(d + "/y.emh", "#include \"x.emh\"\n");
  write(d + "/cyc.emt", "#include \"x.emh\"\n");
  emmett::Result r = emmett::compileFile(d + "/cyc.emt", {});
  REQUIRE_FALSE(r.ok);
  CHECK(contains(r.messages, d + "/y.emh:1:1: error: #include cycle: " + d + "/x.emh -> " + d + "/y.emh -> " + d + "/x.emh"));
  CHECK(firstMessage("#include \"nope.emh\"\n") == "t.emt:1:10: error: cannot find include file 'nope.emh'");
}

TEST_CASE("epp: include depth is bounded") {
  std::string d = tempDir();
  for (int i = 0; i < 70; ++i) write(d + "/d" + std::to_string(i) + ".emh", "#include \"d" + std::to_string(i + 1) + ".emh\"\n");
  write(d + "/d70.emh", "\n");
  write(d + "/deep.emt", "#include \"d0.emh\"\n");
  emmett::Result r = emmett::compileFile(d + "/deep.emt", {});
  REQUIRE_FALSE(r.ok);
  CHECK(contains(r.messages, "error: #include nested too deeply (limit 64)"));
}

TEST_CASE("epp: exponential macro chains are bounded") {
  std::string src;
  for (int i = 0; i < 40; ++i) src += "#define M" + std::to_string(i) + " M" + std::to_string(i + 1) + " M" + std::to_string(i + 1) + "\n";
  src += "VMM1Hz { M0; }\n";
  CHECK(contains(compile(src).messages, "error: macro expansion of this line exceeds 1048576 bytes"));
}

TEST_CASE("epp: a backslash at the end of a directive line continues it, as in C") {
  CHECK(contains(vpBody("#define X 1 + \\\n  2\nVMM1Hz { logint(X); }\n"), "(logint (+ 1 2))"));
  // CRLF line ends, and a chain of continuations.
  CHECK(contains(vpBody("#define X 1 \\\r\n + \\\r\n 2\r\nVMM1Hz { logint(X); }\r\n"), "(logint (+ 1 2))"));
  CHECK(contains(vpBody("#if 0 || \\\n  1\nVMM1Hz { logint(3); }\n#endif\n"), "(logint 3)"));
  // In a skipped group too: the continued line is not an #endif.
  CHECK(contains(vpBody("#if 0\n#define Y \\\n#endif\n#endif\nVMM1Hz { logint(4); }\n"), "(logint 4)"));
  // Later lines keep their numbers.
  CHECK(firstMessage("#define X 1 + \\\n  2 + \\\n  3\nVMM1Hz { y; }\n") == "t.emt:4:10: error: unknown identifier 'y'");
  CHECK(firstMessage("#line 50 \\\n  \"o.emt\"\nVMM1Hz { y; }\n") == "o.emt:50:10: error: unknown identifier 'y'");
  // Errors in a continued directive point at its first line.
  CHECK(firstMessage("\n#error one \\\n two\n") == "t.emt:2:1: error: #error one  two");
}

TEST_CASE("epp: a backslash at the end of an ordinary line splices it too") {
  // A string split over two lines, and a statement.
  CHECK(contains(vpBody("VMM1Hz { logstr(\"ab\\\ncd\"); logint(1 + \\\n 2); }\n"), "(logstr \"abcd\")"));
  CHECK(contains(vpBody("VMM1Hz { logint(1 + \\\r\n 2); }\r\n"), "(logint (+ 1 2))"));
  // As in C, a `//` comment ending in a backslash swallows the next line.
  CHECK(contains(vpBody("// note \\\nVMM1Hz { logint(5); }\nVMM1Hz { logint(6); }\n"), "(logint 6)"));
  CHECK(!contains(vpBody("// note \\\nVMM1Hz { logint(5); }\nVMM1Hz { logint(6); }\n"), "(logint 5)"));
  // Lines after a splice keep their numbers.
  CHECK(firstMessage("VMM1Hz { logint(1 + \\\n 2); }\nVMM1Hz { y; }\n") == "t.emt:3:10: error: unknown identifier 'y'");
}

TEST_CASE("epp: #if does not evaluate what C leaves unevaluated") {
  std::pair<const char*, int> cases[] = {{"0 && 1/0", 0},    {"2 || 1/0", 1},
                                         {"1 ? 2 : (1/0)", 1}, {"0 ? 1/0 : 3", 1},
                                         {"0 && (1 % 0 || 1/0)", 0}, {"1 || 0 && 1/0", 1}};
  for (auto [cond, value] : cases) {
    INFO(cond);
    std::string vp = vpBody(std::string("#if ") + cond + "\nVMM1Hz { logint(1); }\n#else\nVMM1Hz { logint(0); }\n#endif\n");
    CHECK(contains(vp, "(logint " + std::to_string(value) + ")"));
  }
  // The evaluated part still fails, and syntax is checked everywhere.
  CHECK(firstMessage("#if 1 && 1/0\n#endif\n") == "t.emt:1:5: error: division by zero in #if expression");
  CHECK(firstMessage("#if 0 ? 1 : 1/0\n#endif\n") == "t.emt:1:5: error: division by zero in #if expression");
  CHECK(firstMessage("#if 0 && (1 +)\n#endif\n") == "t.emt:1:5: error: unexpected ')' in #if expression");
}
