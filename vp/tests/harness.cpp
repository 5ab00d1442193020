#include "vp/tests/harness.h"

#include <functional>

namespace vptest {

RunResult runScript(const std::string& source, const std::vector<std::string>& events,
                    bool interpret, vp::Options opts,
                    const std::function<void(vp::SyntheticTarget&)>& setup) {
  RunResult r;
  CaptureSink sink;
  std::vector<vp::Diagnostic> diags;
  opts.interpret = interpret;
  auto script = vp::Script::load(source, "t.vp", opts, sink, diags);
  for (const auto& d : diags) r.diagnostics += d.render(source);
  if (!script) return r;
  r.loaded = true;
  vp::SyntheticTarget vcpu(0, true), vmx(0, false);
  if (setup) {
    setup(vcpu);
    setup(vmx);
  }
  {
    vp::SyntheticHost host(*script, vcpu, vmx, 0);
    if (host.start()) {
      for (const auto& text : events) {
        vp::Event e;
        std::string why;
        if (!vp::parseEvent(text, e, why)) throw std::runtime_error("bad event " + text);
        if (!host.fire(e)) break;
      }
    }
    host.finish();
  }
  r.out = sink.out;
  r.err = sink.err;
  return r;
}

std::string diagnosticsOf(const std::string& source, vp::Options opts) {
  CaptureSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(source, "t.vp", opts, sink, diags);
  std::string out;
  for (const auto& d : diags) out += d.render(source);
  return out;
}

}  // namespace vptest
