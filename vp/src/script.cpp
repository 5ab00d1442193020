// Script: the load pipeline (parse, check, lay out, compile) and firing.
#include <algorithm>
#include <array>

#include "vp/src/checker.h"
#include "vp/src/fault_injection_gate.h"
#include "vp/src/interp/interpreter.h"
#include "vp/src/jit/jit.h"
#include "vp/src/layout.h"
#include "vp/src/runtime/context_impl.h"
#include "vp/src/runtime/script_state.h"
#include "vp/src/sexpr.h"
#include "vp/vp.h"

namespace vp {

namespace {

constexpr uint32_t kMaxCodeBytes = 65536;

bool isLoadOrUnload(const ProbePoint& p) {
  return p.kind == ProbePoint::Kind::Static &&
         staticProbeInfo(p.staticId).source == Source::Control;
}

class ScriptImpl final : public Script {
 public:
  ScriptImpl(std::unique_ptr<Program> p, const Options& o, Sink& sink)
      : prog_(std::move(p)), opts_(o), state_(*prog_, o, sink) {
    for (const auto& probe : prog_->probes) {
      if (probe.point.kind == ProbePoint::Kind::Static)
        byStatic_[size_t(probe.point.staticId)].push_back(uint32_t(points_.size()));
      points_.push_back(probe.point);
    }
  }

  bool compile(Diagnostics& d, CodeReport* report) {
    JitCode::Measure m;
    code_ = JitCode::compile(*prog_, state_.shared.get(), opts_.maxCodeBytes, m);
    if (report) *report = reportOf(m);
    if (code_) {
      entry_ = code_->entry();
      functionSizes_ = m.functionSizes;
      for (size_t i = 0; i < prog_->probes.size(); ++i) {
        const Function& fn = prog_->functions[prog_->probes[i].function];
        const ProbePoint& point = prog_->probes[i].point;
        fires_.push_back({code_->probeCode(i), fn.frameBytes, point.name.c_str(),
                          isLoadOrUnload(point), isFunctionEntry(point)});
      }
      return true;
    }
    std::string msg = "script needs " + std::to_string(m.total) +
                      " bytes of code but the translation cache holds " +
                      std::to_string(opts_.maxCodeBytes) + " (vprobe.maxCodeBytes, at most 65536)";
    const Function* fn = overflowing(m);
    if (fn) {
      msg += "; the cache overflows in this " + std::string(fn->isProbe ? "probe" : "function");
    }
    d.error(fn ? fn->loc : Loc{}, msg);
    return false;
  }

  const std::vector<ProbePoint>& probes() const override { return points_; }
  std::span<const uint32_t> probesOn(StaticProbe p) const override {
    return byStatic_[size_t(p)];
  }

  std::unique_ptr<Context> newContext(Target& target, int id, bool isVcpu) override {
    return std::make_unique<ContextImpl>(state_, target, id, isVcpu);
  }

  FireStatus fire(Context& c, size_t index, std::span<const uint64_t> args) override {
    auto& ctx = static_cast<ContextImpl&>(c);
    const Fire& f = fires_[index];
    ctx.beginFire(f.name, f.loadOrUnload, f.functionEntry, f.frameBytes, args);
    RtCtx* rt = ctx.rt();
    bool ok;
    if (f.frameBytes > kStackBytes) [[unlikely]] {
      rt->errCode = static_cast<uint32_t>(ErrorCode::Stack);
      rt->errWhere = prog_->functions[prog_->probes[index].function].body;
      ok = false;
    } else if (opts_.interpret) {
      ok = interpretProbe(*prog_, prog_->functions[prog_->probes[index].function], ctx);
    } else {
      ok = entry_(rt, f.code) == 0;
    }
    return ctx.endFire(!ok);
  }

  std::vector<CodeSize> codeSizes() const override {
    return reportOf({code_->size(), functionSizes_}).functions;
  }
  size_t codeBytes() const override { return code_->size(); }
  const Options& options() const override { return opts_; }
  uint32_t registerGroups() const override { return prog_->regGroups; }

 private:
  CodeReport reportOf(const JitCode::Measure& m) const {
    CodeReport r;
    r.total = m.total;
    for (size_t i = 0; i < m.functionSizes.size(); ++i) {
      const Function& fn = prog_->functions[i];
      r.functions.push_back({(fn.isProbe ? "vprobe " : "defun ") + fn.name, m.functionSizes[i]});
    }
    return r;
  }

  // The function whose code takes the cache past its cap: the glue comes
  // first, then the functions in order.
  const Function* overflowing(const JitCode::Measure& m) const {
    size_t glue = m.total;
    for (size_t bytes : m.functionSizes) glue -= bytes;
    size_t used = glue;
    for (size_t i = 0; i < m.functionSizes.size(); ++i) {
      used += m.functionSizes[i];
      if (used > opts_.maxCodeBytes) return &prog_->functions[i];
    }
    return prog_->functions.empty() ? nullptr : &prog_->functions.front();
  }

  std::unique_ptr<Program> prog_;
  Options opts_;
  ScriptState state_;
  std::unique_ptr<JitCode> code_;
  std::vector<size_t> functionSizes_;
  JitCode::Entry entry_ = nullptr;
  // What a fire of each probe needs, in one place.
  struct Fire {
    const void* code;
    uint64_t frameBytes;
    const char* name;
    bool loadOrUnload;
    bool functionEntry;
  };
  std::vector<Fire> fires_;
  std::vector<ProbePoint> points_;
  std::array<std::vector<uint32_t>, size_t(StaticProbe::Count)> byStatic_;
};

bool validOptions(const Options& o, const std::string& file, std::vector<Diagnostic>& diags) {
  auto refuse = [&](std::string msg) {
    diags.push_back({Diagnostic::Severity::Error, file, 0, 0, std::move(msg)});
    return false;
  };
  if (o.maxCodeBytes == 0 || o.maxCodeBytes > kMaxCodeBytes) {
    return refuse("vprobe.maxCodeBytes is " + std::to_string(o.maxCodeBytes) +
                  "; it must be between 1 and 65536");
  }
  if (o.version > kEngineVersion || o.version < kOldestVersion) {
    return refuse("this engine can behave as VP " + kOldestVersion.str() + " to " +
                  kEngineVersion.str() + ", not " + o.version.str());
  }
  return true;
}

// Where a message about the whole script points: just past its last
// non-blank byte (1:1 for an empty script).
Loc endOfScript(std::string_view source) {
  size_t end = source.find_last_not_of(" \t\r\n\v\f");
  if (end == std::string_view::npos) return {1, 1};
  return advance({1, 1}, source.substr(0, end + 1));
}

}  // namespace

std::unique_ptr<Script> Script::load(std::string_view source, std::string filename,
                                     const Options& options, Sink& sink,
                                     std::vector<Diagnostic>& diags, CodeReport* code) {
  if (code) *code = {};
  if (!validOptions(options, filename, diags)) return nullptr;
  Diagnostics d(filename, diags);
  std::vector<SExpr> forms = parseSExprs(source, d);
  if (d.failed()) return nullptr;
  std::unique_ptr<Program> prog = checkProgram(forms, options.version, d, options.guestSymbols.get());
  if (!prog) return nullptr;
  if (!checkFaultInjection(*prog, options, d)) return nullptr;
  if (prog->probes.empty()) {
    // "Each VP script must contain one or more probes" (reference, p. 17);
    // said only when nothing else is wrong, which is usually the cause.
    d.error(endOfScript(source), "a script must contain at least one probe");
    return nullptr;
  }
  layoutProgram(*prog);
  auto script = std::make_unique<ScriptImpl>(std::move(prog), options, sink);
  if (!script->compile(d, code)) return nullptr;
  return script;
}

}  // namespace vp
