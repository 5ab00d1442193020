#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "cmdline/cmdline.h"

namespace {

cmdline::ToolText text() {
  return {.name = "tool",
          .usage = "usage: tool [OPTIONS] FILE",
          .description = "Does a thing to FILE.",
          .examples = "  tool -f json x.vp"};
}

// A tool with one of each kind of option, parsed from `args`.
struct Run {
  std::optional<int> status;
  std::string out, err, format, file;
  bool quiet = false;
};

Run run(std::vector<const char*> args, cmdline::ToolText t = text()) {
  Run r;
  CLI::App app;
  cmdline::configure(app, t);
  app.add_option("-f,--format", r.format, "text or json")->type_name("FORMAT");
  app.add_flag("-q,--quiet", r.quiet, "say less");
  app.add_option("FILE", r.file, "the input");
  args.insert(args.begin(), "tool");
  std::ostringstream out, err;
  r.status = cmdline::parse(app, t, static_cast<int>(args.size()), args.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cmdline: a good command line goes on and prints nothing") {
  Run r = run({"-f", "json", "x.vp", "-q"});
  CHECK_FALSE(r.status);
  CHECK(r.format == "json");
  CHECK(r.file == "x.vp");
  CHECK(r.quiet);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
}

TEST_CASE("cmdline: --help starts with the usage and lists every option, examples, exit statuses") {
  for (const char* flag : {"--help", "-h"}) {
    Run r = run({"x.vp", flag});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.starts_with("usage: tool [OPTIONS] FILE\n\nDoes a thing to FILE.\n"));
    for (const char* part : {"-f,--format FORMAT", "text or json", "-q,--quiet", "-h,--help", "--version",
                             "FILE", "Examples:\n  tool -f json x.vp",
                             "Exit status: 0 success, 1 failure (the message says why), 2 usage error."}) {
      INFO(part);
      CHECK(has(r.out, part));
    }
  }
}

TEST_CASE("cmdline: --version names the VP version and the build") {
  Run r = run({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out == "tool (VProbes on KVM) VP 1.3, build " + std::string(cmdline::buildId()) + "\n");
  CHECK_FALSE(cmdline::buildId().empty());
}

TEST_CASE("cmdline: an unknown option is a usage error that says what to type") {
  Run r = run({"--formt", "json", "x.vp"});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "tool: error: unknown option '--formt': did you mean '--format'?\n\n"
        "usage: tool [OPTIONS] FILE\n"
        "run 'tool --help' for every option and an example\n");
  CHECK(has(run({"--zzzzzz"}).err, "tool: error: unknown option '--zzzzzz'\n"));
}

TEST_CASE("cmdline: an option given '=' and no value is a usage error, not a taken next word") {
  Run r = run({"--format=", "x.vp"});
  CHECK(r.status == cmdline::kUsageError);
  CHECK(r.format.empty());
  CHECK(r.err.starts_with(
      "tool: error: option --format= gives no FORMAT: write --format=FORMAT or --format FORMAT\n"));
  // After --, and for words that name no option taking a value, '=' is the word's own.
  CHECK_FALSE(run({"--", "--format="}).status);
  CHECK(run({"--", "--format="}).file == "--format=");
  CHECK(run({"--formt=", "x.vp"}).err.starts_with("tool: error: unknown option '--formt="));
}

TEST_CASE("cmdline: CLI11's own errors and extra words get the hint too") {
  Run missing = run({"x.vp", "-f"});
  CHECK(missing.status == 2);
  INFO(missing.err);
  CHECK(missing.err.starts_with("tool: error: --format needs a value (FORMAT)\n"));
  Run twice = run({"x.vp", "-f", "a", "--format", "b"});
  CHECK(twice.status == 2);
  CHECK(twice.err.starts_with("tool: error: --format may be given once, not 2 times\n"));
  CHECK(has(missing.err, "run 'tool --help'"));
  Run extra = run({"x.vp", "y.vp"});
  CHECK(extra.status == 2);
  CHECK(extra.err.starts_with("tool: error: unexpected argument 'y.vp'\n"));
}

TEST_CASE("cmdline: a tool may keep its own usage status and error prefix") {
  cmdline::ToolText t = text();
  t.usageStatus = cmdline::kFailed;
  t.errorPrefix = "Error: ";
  Run r = run({"--bogus"}, t);
  CHECK(r.status == 1);
  CHECK(r.err.starts_with("Error: unknown option '--bogus'\n\nusage: tool"));
  CHECK(has(run({"--help"}, t).out, "Exit status: 0 success, 1 failure or usage error"));
  std::ostringstream err;
  CHECK(cmdline::usageError(t, "no FILE", err) == 1);
  CHECK(err.str().starts_with("Error: no FILE\n\nusage: tool [OPTIONS] FILE\nrun 'tool --help'"));
}

TEST_CASE("cmdline: a tool with subcommands shows them all, with their options") {
  CLI::App app;
  cmdline::ToolText t = text();
  cmdline::configure(app, t);
  std::string in;
  app.add_subcommand("run", "run it")->add_option("--in", in, "where from");
  app.add_subcommand("check", "check it");
  const char* argv[] = {"tool", "--help"};
  std::ostringstream out, err;
  CHECK(cmdline::parse(app, t, 2, argv, out, err) == 0);
  CHECK(has(out.str(), "run it"));
  CHECK(has(out.str(), "--in TEXT"));
  CHECK(has(out.str(), "check it"));
  const char* sub[] = {"tool", "run", "--help"};
  std::ostringstream subOut;
  CHECK(cmdline::parse(app, t, 3, sub, subOut, err) == 0);
  CHECK(subOut.str().starts_with("usage: tool run [OPTIONS]"));
}

TEST_CASE("cmdline: the closest option is a typo's correction, never another word") {
  CLI::App app;
  bool format = false, interp = false;
  app.add_flag("--format,-f", format, "text or json");
  app.add_flag("--interp", interp, "the interpreter");
  CHECK(cmdline::closestOption(app, "--fromat") == "--format");
  CHECK(cmdline::closestOption(app, "-interp") == "--interp");
  CHECK(cmdline::closestOption(app, "--intrep=1") == "--interp");
  CHECK(cmdline::closestOption(app, "--vcpu").empty());
  CHECK(cmdline::closestOption(app, "-x").empty());
}
