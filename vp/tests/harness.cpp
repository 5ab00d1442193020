#include "vp/tests/harness.h"

#include <functional>
#include <stdexcept>

namespace vptest {

namespace {

std::unique_ptr<vp::Script> loadScript(const std::string& source, bool interpret, vp::Options opts,
                                 CaptureSink& sink, RunResult& r) {
  std::vector<vp::Diagnostic> diags;
  opts.interpret = interpret;
  auto script = vp::Script::load(source, "t.vp", opts, sink, diags);
  for (const auto& d : diags) r.diagnostics += d.render(source);
  r.loaded = script != nullptr;
  return script;
}

// The events `vp run` gives, on a fresh vCPU and VMX target and contexts.
void runEvents(vp::Script& script, const std::vector<std::string>& events,
               const TargetSetup& setup) {
  vp::SyntheticTarget vcpu(0, true), vmx(0, false);
  if (setup) {
    setup(vcpu);
    setup(vmx);
  }
  vp::SyntheticHost host(script, vcpu, vmx, 0);
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

}  // namespace

RunResult runScript(const std::string& source, const std::vector<std::string>& events,
                    bool interpret, vp::Options opts, const TargetSetup& setup) {
  RunResult r;
  CaptureSink sink;
  auto script = loadScript(source, interpret, opts, sink, r);
  if (!script) return r;
  runEvents(*script, events, setup);
  r.out = sink.out;
  r.err = sink.err;
  return r;
}

LoadedScript::LoadedScript(const std::string& source, bool interpret, vp::Options opts) {
  script_ = loadScript(source, interpret, opts, sink_, load_);
  load_.out = sink_.out;
  load_.err = sink_.err;
}

RunResult LoadedScript::run(const std::vector<std::string>& events, const TargetSetup& setup) {
  if (!script_) throw std::logic_error("LoadedScript::run on a script that did not load");
  sink_.out.clear();
  sink_.err.clear();
  runEvents(*script_, events, setup);
  RunResult r = load_;
  r.out = sink_.out;
  r.err = sink_.err;
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
