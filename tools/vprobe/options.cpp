#include "tools/vprobe/options.h"

#include <cmath>
#include <cstdlib>

namespace vprobe {
namespace {

// One week: a duration beyond this is a typo, and keeps the arithmetic
// far from overflow.
constexpr double kMaxSeconds = 7 * 24 * 3600;

// "-sFILE" and "-s FILE" are both accepted, as in cc.
bool takeValue(const std::vector<std::string>& args, size_t& i, const std::string& flag,
               std::string& value, std::string& error) {
  const std::string& a = args[i];
  if (a.size() > flag.size()) {
    value = a.substr(flag.size());
    return true;
  }
  if (i + 1 >= args.size()) {
    error = "option " + flag + " needs a value";
    return false;
  }
  value = args[++i];
  return true;
}

bool parseSeconds(const std::string& text, double& out, std::string& error) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(out) || out <= 0 || out > kMaxSeconds) {
    error = "-d expects a number of seconds greater than 0 (such as 5 or 0.5), not '" + text + "'";
    return false;
  }
  return true;
}

// --folded FILE, --flamegraph FILE (or =FILE): where the stack aggregates
// go at the end of the run (tools/vprobe/stack_outputs.h).
bool stackOutput(const std::vector<std::string>& args, size_t& i, Options& o, std::string& error) {
  const std::string& a = args[i];
  size_t eq = a.find('=');
  std::string flag = a.substr(0, eq);
  std::string& file = flag == "--folded" ? o.foldedFile : o.flameGraphFile;
  if (eq != std::string::npos) file = a.substr(eq + 1);
  else if (i + 1 < args.size()) file = args[++i];
  if (file.empty()) error = "option " + flag + " needs a file name";
  return error.empty();
}

// Handles the option at args[i]; false with `error` if it is not one.
bool option(const std::vector<std::string>& args, size_t& i, Options& o, std::string& error) {
  const std::string& a = args[i];
  std::string v;
  if (a == "-h" || a == "--help") return o.help = true;
  if (a == "-i") return o.vp = true;
  if (a == "-l") return o.listProbes = true;
  if (a == "-v") return o.verbose = true;
  std::string name = a.substr(0, a.find('='));
  if (name == "--folded" || name == "--flamegraph") return stackOutput(args, i, o, error);
  if (a.size() < 2) return false;
  std::string flag = a == "--format" ? "-f" : a.substr(0, 2);
  if (flag != "-c" && flag != "-d" && flag != "-f" && flag != "-s" && flag != "-T" && flag != "-D" &&
      flag != "-I") {
    error = "unknown option '" + a + "'";
    return false;
  }
  if (!takeValue(args, i, a == "--format" ? a : flag, v, error)) return false;
  if (flag == "-f") {
    if (!vp::parseOutputFormat(v, o.format)) {
      error = "-f expects text or json, not '" + v + "'";
      return false;
    }
  } else if (flag == "-c") {
    if (o.code) {
      error = "-c may be given once";
      return false;
    }
    o.code = v;
  } else if (flag == "-d") {
    double s = 0;
    if (!parseSeconds(v, s, error)) return false;
    o.seconds = s;
  } else if (flag == "-s") {
    o.symbolFile = v;
  } else if (flag == "-T") {
    o.symbolDatabases.push_back(v);
  } else if (flag == "-D") {
    size_t eq = v.find('=');
    if (eq == 0 || v.empty()) {
      error = "-D expects NAME or NAME=VALUE";
      return false;
    }
    if (eq == std::string::npos) o.defines.emplace_back(v, "1");
    else o.defines.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  } else {
    o.includeDirs.push_back(v);
  }
  return true;
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

bool parseOptions(const std::vector<std::string>& args, Options& out, std::string& error) {
  Options o;
  bool optionsEnded = false;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!optionsEnded && a == "--") {
      optionsEnded = true;
    } else if (!optionsEnded && a.size() > 1 && a[0] == '-') {
      if (!option(args, i, o, error)) return false;
      if (o.help) break;
    } else {
      words.push_back(a);
    }
  }
  if (!o.help) {
    if (!words.empty()) o.vmx = words[0];
    if (words.size() > 1) o.files.assign(words.begin() + 1, words.end());
    if (!checkCombination(o, error)) return false;
  }
  out = std::move(o);
  return true;
}

std::string usage() {
  return "usage: vprobe [-c CODE] [-d SECONDS] [-f text|json] [-s SYMS] [-T [NAME=]SYMDB] [-D NAME[=VAL]] [-I DIR] [-i]\n"
         "              [--folded FILE] [--flamegraph FILE] VMX [FILE...]\n"
         "       vprobe -l VMX\n"
         "       vprobe -l [-v] -T [NAME=]SYMDB [PATTERN]\n"
         "Compiles an Emmett script (FILEs, as one script, or CODE), loads it into the\n"
         "running VM VMX and prints its output until Ctrl-C or SECONDS; then unloads it\n"
         "(its unload probes print, e.g. the aggregates) and exits.\n"
         "  -c CODE     the script itself\n"
         "  -d SECONDS  stop after SECONDS (such as 10 or 0.5)\n"
         "  -f, --format text|json  json: one JSON object a line (docs/json-output.md)\n"
         "  -s SYMS     guest symbols for GUEST: probes and expressions (nm output, System.map)\n"
         "  -T [NAME=]SYMDB  a symbol database (emmett-symdb IMAGE): external types $NAME.T, line probes\n"
         "  -D NAME[=VAL], -I DIR   Emmett preprocessor definitions and include folders\n"
         "  -i          the script is VP, loaded as it is (old VP scripts, emmett's output)\n"
         "  -l          list the VM's probe points; with -T, the database's functions,\n"
         "              types and lines matching PATTERN (a glob; lines when it has a ':')\n"
         "  -v          with -l -T: addresses, parameters, members\n"
         "  --folded FILE      write the aggregates keyed by gueststack to FILE as folded\n"
         "                     stacks (frame;frame;frame count), named with -s SYMS\n"
         "  --flamegraph FILE  the same as an SVG flame graph (docs/flamegraphs.md)\n";
}

}  // namespace vprobe
