#include "tools/vp/options.h"

#include <memory>

#include "cmdline/cmdline.h"
#include "tools/vp/cli.h"
#include "vp/src/sexpr.h"

namespace vpcli {
namespace {

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text{
      .name = "vp",
      .usage = "usage: vp check [OPTIONS] FILE...\n"
               "       vp run FILE [OPTIONS] EVENT...\n"
               "       vp dump [OPTIONS] FILE",
      .description =
          "Checks, runs and inspects VP scripts without a VM. `run` loads the script into a\n"
          "synthetic target and fires VMMLoad, VMXLoad, the EVENTs, VMMUnload and VMXUnload.\n"
          "EVENT: PROBE[xCOUNT][:ARG0,ARG1,...], e.g. VMM1Hz, Guest_IRQx3:0x20, USEC:333333x9",
      .examples = "  vp check cookbook/irq-by-vector.vp\n"
                  "  vp run exits.vp --reg VMCS_EXIT_REASON=30 HV_Exitx3\n"
                  "  vp run t.vp --mem 0x1000=48656c6c6f00 Guest_IRQx3:0x20 USEC:333333x9\n"
                  "  vp dump --code-bytes 4096 big.vp",
  };
  return text;
}

// Values read as text and checked after parsing, so a bad one is named
// with what was expected.
struct Raw {
  std::string codeBytes, vpVersion, bagBytes, syms, vcpu, format;
  std::vector<std::string> regs, mem, events;
};

void engineOptions(CLI::App& sub, Raw& raw) {
  sub.add_option("--code-bytes", raw.codeBytes,
                 "translation cache size (vprobe.maxCodeBytes), default 16384, at most 65536")
      ->type_name("N");
  sub.add_option("--vp-version", raw.vpVersion, "behave as this older VP version (1.0 to 1.3)")
      ->type_name("M.N");
  sub.add_option("--bag-bytes", raw.bagBytes, "storage of all bags (vprobe.bagBytes), default 65536")
      ->type_name("N");
  sub.add_option("--syms", raw.syms, "guest symbols for GUEST:symbol probes (nm output, System.map)")
      ->type_name("FILE");
}

// Every subcommand and option of vp: the one place they are defined.
void defineCommands(CLI::App& app, Args& a, Raw& raw) {
  app.require_subcommand(1);
  CLI::App* check = app.add_subcommand("check", "parse, check and compile; report every diagnostic");
  check->footer("Exit status: 0 every file loads, 1 a file has errors, 2 usage error.");
  engineOptions(*check, raw);
  check->add_option("FILE", a.files, "VP scripts")->required();
  check->callback([&a] { a.command = Command::Check; });

  CLI::App* run = app.add_subcommand("run", "run a script against a synthetic target");
  run->footer(
      "EVENT: PROBE[xCOUNT][:ARG0,ARG1,...], e.g. VMM1Hz, Guest_IRQx3:0x20, USEC:333333x9\n"
      "Exit status: 0 the script ran (its runtime errors are printed), 1 it did not load, 2 usage error.");
  run->add_option("FILE", a.run.file, "the VP script")->required();
  run->add_option("EVENT", raw.events, "probes to fire, in order");
  run->add_flag("--interp", a.engine.interpret, "run the reference interpreter, not the JIT");
  run->add_option("-f,--format", raw.format, "text (the default) or json: one JSON object a line (docs/json-output.md)")
      ->type_name("text|json");
  run->add_option("--vcpu", raw.vcpu, "the vCPU the VMM events fire on (0 to 1023)")->type_name("N");
  run->add_option("--reg", raw.regs, "set a built-in integer global, e.g. VMCS_EXIT_REASON=30")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  run->add_option("--mem", raw.mem, "guest memory bytes at ADDR, e.g. 0x1000=48656c6c6f00")
      ->type_name("ADDR=HEXBYTES")
      ->allow_extra_args(false);
  engineOptions(*run, raw);
  run->callback([&a] { a.command = Command::Run; });

  CLI::App* dump = app.add_subcommand("dump", "machine code size per probe and function, against the cap");
  dump->footer("Exit status: 0 the script loads, 1 it does not (the sizes are still printed), 2 usage error.");
  engineOptions(*dump, raw);
  dump->add_option("FILE", a.files, "a VP script")->required()->expected(1);
  dump->callback([&a] { a.command = Command::Dump; });
}

bool number(const std::string& s, uint64_t& v) {
  bool overflow = false;
  return vp::parseIntegerLiteral(s, v, overflow) && !overflow;
}

bool parseReg(const std::string& spec, RunArgs& a, std::string& error) {
  size_t eq = spec.find('=');
  vp::Global g;
  uint64_t v;
  if (eq == std::string::npos || !vp::findGlobal(spec.substr(0, eq), g) ||
      !number(spec.substr(eq + 1), v) || vp::globalInfo(g).isString ||
      (g >= vp::Global::ARG0 && g <= vp::Global::ARG9)) {
    error = "bad --reg " + spec +
            ": expected NAME=VALUE with NAME a built-in integer global other than ARGn (give those "
            "in the event)";
    return false;
  }
  a.regs.emplace_back(g, v);
  return true;
}

bool parseMem(const std::string& spec, RunArgs& a, std::string& error) {
  size_t eq = spec.find('=');
  uint64_t addr;
  std::string hex = eq == std::string::npos ? "" : spec.substr(eq + 1);
  if (eq == std::string::npos || !number(spec.substr(0, eq), addr) || hex.empty() ||
      hex.size() % 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    error = "bad --mem " + spec + ": expected ADDR=HEXBYTES, e.g. 0x1000=48656c6c6f00";
    return false;
  }
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  a.mem.emplace_back(addr, std::move(bytes));
  return true;
}

bool engineValues(const Raw& raw, vp::Options& o, std::string& error) {
  uint64_t n = 0;
  if (!raw.vpVersion.empty() && !vp::parseVersion(raw.vpVersion, o.version)) {
    error = "bad value for --vp-version: " + raw.vpVersion + " (expected M.N, such as 1.0)";
  } else if (!raw.codeBytes.empty() && (!number(raw.codeBytes, n) || n > UINT32_MAX)) {
    error = "bad value for --code-bytes: " + raw.codeBytes;
  } else if (!raw.codeBytes.empty()) {
    o.maxCodeBytes = static_cast<uint32_t>(n);
  }
  if (error.empty() && !raw.bagBytes.empty()) {
    if (number(raw.bagBytes, n)) o.bagBytes = n;
    else error = "bad value for --bag-bytes: " + raw.bagBytes;
  }
  return error.empty();
}

bool runValues(const Raw& raw, RunArgs& a, std::string& error) {
  uint64_t n = 0;
  if (!raw.vcpu.empty()) {
    if (!number(raw.vcpu, n) || n > 1023) {
      error = "bad --vcpu " + raw.vcpu + " (0 to 1023)";
      return false;
    }
    a.vcpu = static_cast<int>(n);
  }
  for (const auto& r : raw.regs) {
    if (!parseReg(r, a, error)) return false;
  }
  for (const auto& m : raw.mem) {
    if (!parseMem(m, a, error)) return false;
  }
  for (const auto& text : raw.events) {
    vp::Event e;
    std::string why;
    if (!vp::parseEvent(text, e, why)) {
      error = "bad event '" + text + "': " + why;
      return false;
    }
    a.events.push_back(std::move(e));
  }
  return true;
}

// --syms FILE: the guest symbols GUEST:symbol probes resolve against. Its
// errors are the file's, printed as they are.
bool loadSymbols(const std::string& path, vp::Options& o) {
  std::string text, error;
  if (!readFile(path, text)) return false;
  auto syms = std::make_shared<vp::GuestSymbols>();
  if (!vp::GuestSymbols::parse(text, path, *syms, error)) {
    fprintf(stderr, "vp: %s\n", error.c_str());
    return false;
  }
  o.guestSymbols = std::move(syms);
  return true;
}

}  // namespace

std::optional<int> parseArgs(int argc, const char* const* argv, Args& out) {
  Args a;
  Raw raw;
  auto status = cmdline::parse(
      toolText(), argc, argv, [&](CLI::App& app) { defineCommands(app, a, raw); },
      [&] {
        std::string error;
        if (!raw.format.empty() && !vp::parseOutputFormat(raw.format, a.engine.format))
          error = "-f expects text or json, not '" + raw.format + "'";
        else if (engineValues(raw, a.engine, error) && a.command == Command::Run)
          runValues(raw, a.run, error);
        return error;
      });
  if (status) return status;
  if (!raw.syms.empty() && !loadSymbols(raw.syms, a.engine)) return cmdline::kUsageError;
  out = std::move(a);
  return std::nullopt;
}

}  // namespace vpcli
