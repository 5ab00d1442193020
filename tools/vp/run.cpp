// vp run FILE [options] EVENT...: loads the script into a synthetic target
// and fires VMMLoad, VMXLoad, the events, VMMUnload and VMXUnload.
#include "tools/vp/cli.h"
#include "vp/synthetic_host.h"

namespace vpcli {

int run(const Args& args) {
  const RunArgs& a = args.run;
  std::string source;
  if (!readFile(a.file, source)) return 1;
  StdioSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(source, a.file, args.engine, sink, diags);
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
