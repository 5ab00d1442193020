#include "vmx-client/script_run.h"

#include <algorithm>

namespace vmx {
namespace {

using Clock = std::chrono::steady_clock;

RunResult ended(RunEnd end, int signal = 0) { return {end, signal, {}}; }
RunResult failed(std::string error) { return {RunEnd::Failed, 0, std::move(error)}; }

// Moves new output from the session to the sinks; vprobe.err goes a line
// at a time (a partial line waits for its end, or for finish()).
class OutputPump {
 public:
  OutputPump(ScriptSession& session, const RunSinks& sinks) : session_(session), sinks_(sinks) {}

  // False when a sink closed (closed()) or the files cannot be read (error).
  bool pump(std::string& error) {
    std::string out, err;
    bool read = session_.readOutput(out, err, error);
    if (!out.empty() && !sinks_.output(out)) closed_ = true;
    errLine_ += err;
    size_t start = 0;
    for (size_t nl; !closed_ && (nl = errLine_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (!sinks_.error(std::string_view(errLine_).substr(start, nl - start))) closed_ = true;
    }
    errLine_.erase(0, start);
    return read && !closed_;
  }

  // The last, unterminated error line, if any.
  void finish() {
    if (!errLine_.empty() && !closed_) sinks_.error(errLine_);
    errLine_.clear();
  }

  bool closed() const { return closed_; }

 private:
  ScriptSession& session_;
  const RunSinks& sinks_;
  std::string errLine_;
  bool closed_ = false;
};

RunResult endOf(ScriptState state) {
  switch (state) {
    case ScriptState::Unloaded: return ended(RunEnd::Unloaded);
    case ScriptState::Replaced: return ended(RunEnd::Replaced);
    case ScriptState::VmStopped: return ended(RunEnd::VmStopped);
    case ScriptState::Loaded: break;
  }
  return failed("internal error: the script is still loaded");
}

// Streams output until something ends the run.
RunResult watch(ScriptSession& session, StopSignals& signals, const RunOptions& options,
                OutputPump& pump) {
  auto start = Clock::now();
  auto nextAsk = start + options.askEvery;
  for (;;) {
    std::string error;
    if (!pump.pump(error)) {
      return pump.closed() ? ended(RunEnd::OutputClosed) : failed(error);
    }
    auto now = Clock::now();
    auto wait = options.readEvery;
    if (options.duration) {
      auto left = start + *options.duration - now;
      if (left <= Clock::duration::zero()) return ended(RunEnd::Duration);
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(left));
    }
    if (now >= nextAsk) {
      ScriptState state = session.state(error);
      if (state != ScriptState::Loaded) return endOf(state);
      nextAsk = now + options.askEvery;
    }
    if (int sig = signals.wait(wait)) return ended(RunEnd::Signal, sig);
  }
}

// Ends a run that the script did not end itself: unloads the script.
void unloadOwnScript(ScriptSession& session, RunResult& result) {
  bool unloaded = false;
  std::string error;
  switch (session.unload(unloaded, error)) {
    case SessionStatus::Ok:
      // Not ours any more: it unloaded itself (or was replaced) just now.
      if (!unloaded) result = endOf(session.state(error));
      return;
    case SessionStatus::NotRunning:
      result = ended(RunEnd::VmStopped);
      return;
    default:
      result = failed("cannot unload the script: " + error);
  }
}

}  // namespace

RunResult runScript(ScriptSession& session, StopSignals& signals, const RunOptions& options,
                    const RunSinks& sinks) {
  OutputPump pump(session, sinks);
  RunResult result = watch(session, signals, options, pump);
  bool ours = result.end == RunEnd::Duration || result.end == RunEnd::Signal ||
              result.end == RunEnd::OutputClosed ||
              (result.end == RunEnd::Failed && !pump.closed());
  if (ours) unloadOwnScript(session, result);
  if (pump.closed()) return ended(RunEnd::OutputClosed);
  // What the unload probes printed (or whatever the end left behind).
  std::string error;
  if (!pump.pump(error) && !pump.closed() && result.end != RunEnd::Failed) {
    result = failed(error);
  }
  pump.finish();
  return result;
}

}  // namespace vmx
