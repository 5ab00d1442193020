#include "tools/emmett/options.h"

#include "cmdline/cmdline.h"
#include "cmdline/emmett_options.h"

namespace emmettcli {
namespace {

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text{
      .name = "emmett",
      .usage = "usage: emmett [OPTIONS] FILE.emt",
      .description =
          "Compiles an Emmett script to VP, on standard output or into OUT; FILE - is the\n"
          "standard input. Errors go to stderr as FILE:LINE:COL: error: MESSAGE.",
      .examples = "  emmett cookbook/exits-by-reason.emt -o exits.vp\n"
                  "  emmett -s guests/demo/demo.syms -V 1.0 script.emt\n"
                  "  emmett -T guests/demo/demo.symdb -D DEBUG -I lib script.emt",
  };
  return text;
}

struct Raw {
  std::vector<std::string> defines;
  std::string version;
};

// Every option emmett has: the one place they are defined.
void defineOptions(CLI::App& app, Args& a, Raw& raw) {
  emmett::Options& o = a.compile;
  cmdline::addEmmettInputOptions(app, {raw.defines, o.includeDirs, o.symbolDatabases});
  app.add_option("-s", o.symbolFile, "guest symbols (nm output, System.map); the last one counts")
      ->type_name("SYMS")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-V", raw.version,
                 "the newest VP version the output may use (" + vp::kOldestVersion.str() + " to " +
                     vp::kEngineVersion.str() + ")")
      ->type_name("VERSION");
  app.add_option("-o", a.output, "write the VP to OUT, not to standard output")->type_name("OUT");
  app.add_flag("--dump-ast", o.dumpAst, "print the AST after each pass to stderr");
  app.add_option("FILE.emt", a.file, "the Emmett script (- for standard input)")->required();
}

bool readVersion(const std::string& text, emmett::Options& o, std::string& error) {
  if (text.empty()) return true;
  vp::Version v;
  if (vp::parseVersion(text, v) && v >= vp::kOldestVersion && v <= vp::kEngineVersion) {
    o.target = v;
    return true;
  }
  error = "unsupported VP version '" + text + "' (" + vp::kOldestVersion.str() + " to " +
          vp::kEngineVersion.str() + ")";
  return false;
}

}  // namespace

std::optional<int> parseArgs(int argc, const char* const* argv, Args& out) {
  Args a;
  Raw raw;
  auto status = cmdline::parse(
      toolText(), argc, argv, [&](CLI::App& app) { defineOptions(app, a, raw); },
      [&] {
        std::string error;
        if (emmett::parseDefines(raw.defines, a.compile.defines, error)) readVersion(raw.version, a.compile, error);
        return error;
      });
  if (!status) out = std::move(a);
  return status;
}

}  // namespace emmettcli
