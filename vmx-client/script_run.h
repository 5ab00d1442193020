// The run loop of `vprobe`: with its script loaded (script_session.h), it
// streams the script's output until the run ends, then unloads the script
// (so its unload probes print, as a DTrace user expects on Ctrl-C) and
// streams what is left.
//
// A run ends when the duration is over, a stop signal arrives
// (stop_signals.h), the output cannot be written any more (a closed pipe),
// the script unloads itself (exit()) or is unloaded or replaced by someone
// else, or the VM powers off.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "vmx-client/script_session.h"
#include "vmx-client/stop_signals.h"

namespace vmx {

struct RunOptions {
  // Unset: until a signal (or another end above).
  std::optional<std::chrono::milliseconds> duration;
  // How often the loop reads the output files, and how often it asks the
  // VM whether the script is still loaded.
  std::chrono::milliseconds readEvery{50};
  std::chrono::milliseconds askEvery{250};
};

// Where the output goes. Each returns false when it cannot write (the
// reader went away), which ends the run.
struct RunSinks {
  std::function<bool(std::string_view bytes)> output;  // vprobe.out, as written
  std::function<bool(std::string_view line)> error;    // vprobe.err, a line at a time, without '\n'
};

enum class RunEnd {
  Duration,      // the duration was over
  Signal,        // SIGINT, SIGTERM or SIGHUP
  OutputClosed,  // a sink could not write
  Unloaded,      // the script unloaded itself (exit()), or vprobeReset
  Replaced,      // someone else loaded a script in its place
  VmStopped,     // the VM powered off
  Failed,        // the output could not be read, or the unload failed
};

struct RunResult {
  RunEnd end = RunEnd::Failed;
  int signal = 0;     // RunEnd::Signal: which
  std::string error;  // RunEnd::Failed: why
};

RunResult runScript(ScriptSession& session, StopSignals& signals,
                    const RunOptions& options, const RunSinks& sinks);

}  // namespace vmx
