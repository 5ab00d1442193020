// vp run FILE [options] EVENT...: loads the script into a synthetic target
// and fires VMMLoad, VMXLoad, the events, VMMUnload and VMXUnload.
#include <cstring>

#include "tools/vp/cli.h"
#include "vp/src/sexpr.h"
#include "vp/synthetic_host.h"

namespace vpcli {

namespace {

struct RunArgs {
  std::string file;
  vp::Options opts;
  int vcpu = 0;
  std::vector<std::pair<vp::Global, uint64_t>> regs;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> mem;
  std::vector<vp::Event> events;
};

bool number(const std::string& s, uint64_t& v) {
  bool overflow = false;
  return vp::parseIntegerLiteral(s, v, overflow) && !overflow;
}

bool parseReg(const std::string& spec, RunArgs& a) {
  size_t eq = spec.find('=');
  vp::Global g;
  uint64_t v;
  if (eq == std::string::npos || !vp::findGlobal(spec.substr(0, eq), g) ||
      !number(spec.substr(eq + 1), v) || vp::globalInfo(g).isString ||
      (g >= vp::Global::ARG0 && g <= vp::Global::ARG9)) {
    usage(("bad --reg " + spec + ": expected NAME=VALUE with NAME a built-in integer "
           "global other than ARGn (give those in the event)").c_str());
    return false;
  }
  a.regs.emplace_back(g, v);
  return true;
}

bool parseMem(const std::string& spec, RunArgs& a) {
  size_t eq = spec.find('=');
  uint64_t addr;
  std::string hex = eq == std::string::npos ? "" : spec.substr(eq + 1);
  if (eq == std::string::npos || !number(spec.substr(0, eq), addr) || hex.empty() ||
      hex.size() % 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    usage(("bad --mem " + spec + ": expected ADDR=HEXBYTES, e.g. 0x1000=48656c6c6f00").c_str());
    return false;
  }
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  a.mem.emplace_back(addr, std::move(bytes));
  return true;
}

// Returns 0 on success, else the exit status.
int parse(int argc, char** argv, RunArgs& a) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    bool bad = false;
    if (engineOption(argc, argv, i, a.opts, bad)) {
      if (bad) return 2;
    } else if (arg == "--interp") {
      a.opts.interpret = true;
    } else if (arg == "--vcpu" || arg == "--reg" || arg == "--mem" || arg == "-f" ||
               arg == "--format") {
      if (i + 1 >= argc) return usage((arg + " needs a value").c_str());
      std::string v = argv[++i];
      uint64_t n;
      if (arg == "-f" || arg == "--format") {
        if (!vp::parseOutputFormat(v, a.opts.format)) {
          return usage((arg + " expects text or json, not '" + v + "'").c_str());
        }
      } else if (arg == "--vcpu") {
        if (!number(v, n) || n > 1023) return usage(("bad --vcpu " + v).c_str());
        a.vcpu = static_cast<int>(n);
      } else if (!(arg == "--reg" ? parseReg(v, a) : parseMem(v, a))) {
        return 2;
      }
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      vp::Event e;
      std::string why;
      if (!vp::parseEvent(arg, e, why)) return usage(("bad event '" + arg + "': " + why).c_str());
      a.events.push_back(std::move(e));
    }
  }
  return a.file.empty() ? usage("run needs a file") : 0;
}

}  // namespace

int run(int argc, char** argv) {
  RunArgs a;
  if (int status = parse(argc, argv, a)) return status;
  std::string source;
  if (!readFile(a.file, source)) return 1;
  StdioSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(source, a.file, a.opts, sink, diags);
  printDiagnostics(diags, source);
  if (!script) return 1;
  vp::SyntheticTarget vcpu(a.vcpu, true), vmx(0, false);
  for (auto& t : {&vcpu, &vmx}) {
    for (const auto& [g, v] : a.regs) t->set(g, v);
    for (const auto& [addr, bytes] : a.mem) t->addMemory(addr, bytes);
  }
  vp::SyntheticHost host(*script, vcpu, vmx, a.vcpu);
  if (host.start()) {
    for (const auto& e : a.events) {
      if (!host.fire(e)) break;
    }
  }
  host.finish();
  return 0;
}

}  // namespace vpcli
