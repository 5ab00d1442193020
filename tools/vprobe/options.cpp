#include "tools/vprobe/options.h"

#include <cmath>
#include <cstdlib>
#include <tuple>

#include "cmdline/cmdline.h"
#include "cmdline/emmett_options.h"
#include "emmett2vp/emmett2vp.h"

namespace vprobe {
namespace {

// One week: a duration beyond this is a typo, and keeps the arithmetic
// far from overflow.
constexpr double kMaxSeconds = 7 * 24 * 3600;

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text{
      .name = "vprobe",
      .usage = "usage: vprobe [OPTIONS] VMX [FILE...]\n"
               "       vprobe -l VMX\n"
               "       vprobe -l [-v] -T [NAME=]SYMDB... [PATTERN]",
      .description =
          "Compiles an Emmett script (FILEs, as one script, or CODE), loads it into the\n"
          "running VM VMX and prints its output until Ctrl-C or SECONDS; then unloads it\n"
          "(its unload probes print, e.g. the aggregates) and exits. FILE - is the\n"
          "standard input; options may come before or after VMX, and -- ends them.",
      .examples = "  vprobe -d 5 guests/demo/demo.vmx cookbook/exits-by-reason.emt\n"
                  "  vprobe -c 'VMM:Guest_IRQ { irqs[ARG0]++; }' guests/demo/demo.vmx   # Ctrl-C prints irqs\n"
                  "  vprobe -i guests/demo/demo.vmx exits.vp     # VP as it is (emmett -o exits.vp)\n"
                  "  vprobe -l guests/demo/demo.vmx              # the probe points\n"
                  "  vprobe -l -T guests/demo/demo.symdb 'mm.c:11*'   # functions, types, lines\n"
                  "  vprobe -f json -d 5 guests/demo/demo.vmx cookbook/exits-by-reason.emt\n"
                  "  vprobe -d 5 -s guests/demo/demo.syms --flamegraph demo.svg guests/demo/demo.vmx cookbook/flame-profile.emt",
  };
  return text;
}

// The raw values that need checking beyond their type.
struct Raw {
  std::optional<std::string> seconds;
  std::optional<std::string> format;
  std::optional<std::string> folded, flameGraph;
  std::vector<std::string> defines;
};

// Every option vprobe has: the one place they are defined.
void defineOptions(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("-c", o.code, "the script itself, instead of FILEs")->type_name("CODE");
  app.add_option("-d", raw.seconds, "stop after SECONDS (such as 10 or 0.5)")->type_name("SECONDS");
  app.add_option("-s", o.symbolFile,
                 "guest symbols for GUEST: probes and expressions (nm output, System.map)")
      ->type_name("SYMS");
  cmdline::addEmmettInputOptions(app, {raw.defines, o.includeDirs, o.symbolDatabases});
  app.add_flag("-i", o.vp, "the script is VP, loaded as it is (old VP scripts, emmett's output)");
  app.add_flag("-l", o.listProbes,
               "list the VM's probe points, one a line; with -T, the databases' functions, types and lines");
  app.add_flag("-v", o.verbose, "with -l -T: each entry in full (members, parameters, addresses)");
  app.add_option("-f,--format", raw.format, "text (the default) or json: one JSON object a line (docs/json-output.md)")
      ->type_name("text|json");
  app.add_option("--folded", raw.folded,
                 "write the aggregates keyed by gueststack to FILE as folded stacks (docs/flamegraphs.md)")
      ->type_name("FILE");
  app.add_option("--flamegraph", raw.flameGraph, "the same as an SVG flame graph")
      ->type_name("FILE");
  app.add_option("VMX", o.vmx, "the running virtual machine (its .vmx file); with -l -T, a PATTERN");
  app.add_option("FILE", o.files, "the script's files, read as one script (- is stdin)");
}

bool parseSeconds(const std::optional<std::string>& text, Options& o, std::string& error) {
  if (!text) return true;
  char* end = nullptr;
  double seconds = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 || seconds > kMaxSeconds) {
    error = "-d expects a number of seconds greater than 0 (such as 5 or 0.5), not '" + *text + "'";
    return false;
  }
  o.seconds = seconds;
  return true;
}

// --folded FILE, --flamegraph FILE: "--folded=" names no file.
bool stackFiles(const Raw& raw, Options& o, std::string& error) {
  for (auto [given, file, flag] : {std::tuple{&raw.folded, &o.foldedFile, "--folded"},
                                   std::tuple{&raw.flameGraph, &o.flameGraphFile, "--flamegraph"}}) {
    if (given->has_value() && (*given)->empty()) error = std::string("option ") + flag + " needs a file name";
    if (given->has_value()) *file = **given;
  }
  return error.empty();
}

bool parseFormat(const std::optional<std::string>& text, Options& o, std::string& error) {
  if (text && !vp::parseOutputFormat(*text, o.format)) error = "-f expects text or json, not '" + *text + "'";
  return error.empty();
}

// -l -T SYMDB [PATTERN] lists the databases and needs no VM: the word
// after the options is the pattern.
bool listsDatabase(Options& o, std::string& error) {
  if (o.code || o.seconds || o.vp || !o.files.empty() || !o.foldedFile.empty() || !o.flameGraphFile.empty())
    error = "-l -T lists a symbol database: give at most a PATTERN (such as 'sys_*' or 'main.c:4*'), no script";
  else if (o.vmx.ends_with(".vmx"))
    error = "-l -T lists the symbol database, not the VM's probe points ('" + o.vmx + "' is not a pattern; drop -T to list the VM's)";
  o.pattern = o.vmx.empty() ? "*" : o.vmx;
  o.vmx.clear();
  return error.empty();
}

// The combinations that make no sense.
bool checkCombination(Options& o, std::string& error) {
  if (o.listProbes && !o.symbolDatabases.empty()) return listsDatabase(o, error);
  if (o.verbose) error = "-v is for listing a symbol database (-l -T SYMDB)";
  else if (o.vmx.empty()) error = "no virtual machine given (the path to its .vmx)";
  else if (o.listProbes && (o.code || !o.files.empty() || o.seconds || !o.foldedFile.empty() ||
                            !o.flameGraphFile.empty()))
    error = "-l lists the probe points and takes no script";
  else if (!o.listProbes && !o.code && o.files.empty())
    error = "no script given: name its FILE(s), or give it with -c CODE";
  else if (o.code && !o.files.empty())
    error = "give the script with -c or as FILE(s), not both";
  else if (o.vp && ((!o.symbolFile.empty() && o.foldedFile.empty() && o.flameGraphFile.empty()) ||
                    !o.symbolDatabases.empty() || !o.defines.empty() || !o.includeDirs.empty()))
    error = "-s, -T, -D and -I are for Emmett; with -i the script is VP and is loaded as it is "
            "(-s names stack frames with --folded or --flamegraph)";
  else if (o.format == vp::OutputFormat::Json && (!o.foldedFile.empty() || !o.flameGraphFile.empty()))
    error = "--folded and --flamegraph read the text format's aggregates; leave out -f json";
  else if (o.vp && o.files.size() > 1)
    error = "-i loads one VP file (VP has no way to tell where one file ends and the next begins)";
  return error.empty();
}

}  // namespace

std::optional<int> parseOptions(int argc, const char* const* argv, Options& out) {
  Options o;
  Raw raw;
  auto status = cmdline::parse(
      toolText(), argc, argv, [&](CLI::App& app) { defineOptions(app, o, raw); },
      [&] {
        std::string error;
        if (parseSeconds(raw.seconds, o, error) && parseFormat(raw.format, o, error) && stackFiles(raw, o, error) &&
            emmett::parseDefines(raw.defines, o.defines, error))
          checkCombination(o, error);
        return error;
      });
  if (!status) out = std::move(o);
  return status;
}

}  // namespace vprobe
