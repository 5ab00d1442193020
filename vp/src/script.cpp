// Script: the load pipeline (parse, check, lay out, compile) and firing.
#include <algorithm>

#include "vp/src/checker.h"
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

class ScriptImpl final : public Script {
 public:
  ScriptImpl(std::unique_ptr<Program> p, const Options& o, Sink& sink)
      : prog_(std::move(p)), opts_(o), state_(*prog_, o, sink) {
    for (const auto& probe : prog_->probes) points_.push_back(probe.point);
  }

  bool compile(std::vector<Diagnostic>& diags) {
    size_t needed = 0;
    code_ = JitCode::compile(*prog_, state_.shared.get(), opts_.maxCodeBytes, needed);
    if (code_) {
      entry_ = code_->entry();
      for (size_t i = 0; i < prog_->probes.size(); ++i) {
        const Function& fn = prog_->functions[prog_->probes[i].function];
        fires_.push_back({code_->probeCode(i), fn.frameBytes, prog_->probes[i].point.name.c_str()});
      }
      return true;
    }
    diags.push_back({Diagnostic::Severity::Error, prog_->file, 0, 0,
                     "script needs " + std::to_string(needed) +
                         " bytes of code but the translation cache holds " +
                         std::to_string(opts_.maxCodeBytes) +
                         " (vprobe.maxCodeBytes, at most 65536)"});
    return false;
  }

  const std::vector<ProbePoint>& probes() const override { return points_; }

  std::unique_ptr<Context> newContext(Target& target, int id, bool isVcpu) override {
    return std::make_unique<ContextImpl>(state_, target, id, isVcpu);
  }

  FireStatus fire(Context& c, size_t index, std::span<const uint64_t> args) override {
    auto& ctx = static_cast<ContextImpl&>(c);
    const Fire& f = fires_[index];
    ctx.beginFire(f.name, f.frameBytes, args);
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
    std::vector<CodeSize> out;
    const auto& sizes = code_->functionSizes();
    for (size_t i = 0; i < prog_->functions.size(); ++i) {
      const Function& fn = prog_->functions[i];
      out.push_back({(fn.isProbe ? "vprobe " : "defun ") + fn.name, sizes[i]});
    }
    return out;
  }
  size_t codeBytes() const override { return code_->size(); }
  const Options& options() const override { return opts_; }
  uint32_t registerGroups() const override { return prog_->regGroups; }

 private:
  std::unique_ptr<Program> prog_;
  Options opts_;
  ScriptState state_;
  std::unique_ptr<JitCode> code_;
  JitCode::Entry entry_ = nullptr;
  // What a fire of each probe needs, in one place.
  struct Fire {
    const void* code;
    uint64_t frameBytes;
    const char* name;
  };
  std::vector<Fire> fires_;
  std::vector<ProbePoint> points_;
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

}  // namespace

std::unique_ptr<Script> Script::load(std::string_view source, std::string filename,
                                     const Options& options, Sink& sink,
                                     std::vector<Diagnostic>& diags) {
  if (!validOptions(options, filename, diags)) return nullptr;
  Diagnostics d(filename, diags);
  std::vector<SExpr> forms = parseSExprs(source, d);
  if (d.failed()) return nullptr;
  std::unique_ptr<Program> prog = checkProgram(forms, options.version, d);
  if (!prog) return nullptr;
  layoutProgram(*prog);
  auto script = std::make_unique<ScriptImpl>(std::move(prog), options, sink);
  if (!script->compile(diags)) return nullptr;
  return script;
}

void OrderedSink::output(uint64_t tsc, std::string_view text) {
  std::lock_guard<std::mutex> g(mu_);
  pending_.push_back({tsc, seq_++, false, std::string(text)});
}

void OrderedSink::error(uint64_t tsc, std::string_view line) {
  std::lock_guard<std::mutex> g(mu_);
  pending_.push_back({tsc, seq_++, true, std::string(line)});
}

std::vector<OrderedSink::Entry> OrderedSink::take(uint64_t upTo) {
  std::lock_guard<std::mutex> g(mu_);
  auto split = std::stable_partition(pending_.begin(), pending_.end(),
                                     [&](const Entry& e) { return e.tsc <= upTo; });
  std::vector<Entry> out(std::make_move_iterator(pending_.begin()),
                         std::make_move_iterator(split));
  pending_.erase(pending_.begin(), split);
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.tsc != b.tsc ? a.tsc < b.tsc : a.seq < b.seq;
  });
  return out;
}

}  // namespace vp
