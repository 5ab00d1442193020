// vprobe's main path: connect to the VM, compile for its engine, load,
// stream the output until the run ends (-d, a signal, the script's exit(),
// the VM powering off), unload, stream the rest.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>

#include "tools/vprobe/commands.h"
#include "tools/vprobe/prepare_script.h"
#include "tools/vprobe/record_mapper.h"
#include "tools/vprobe/stack_outputs.h"
#include "vmx-client/script_run.h"
#include "vmx-client/script_session.h"
#include "vmx-client/stop_signals.h"

namespace vprobe {
namespace {

// Writes all of `bytes` to `fd`; false when the reader is gone (EPIPE) or
// the write fails otherwise.
bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void printDiagnostics(const std::vector<std::string>& diagnostics, const PreparedScript& script) {
  for (const auto& d : diagnostics) {
    std::string text = script.mapper ? script.mapper->loadDiagnostic(d) : d;
    if (text.empty() || text.back() != '\n') text += '\n';
    std::fputs(text.c_str(), stderr);
  }
}

int loadFailed(vmx::SessionStatus status, const std::vector<std::string>& diagnostics,
               const PreparedScript& script, const std::string& error) {
  if (status == vmx::SessionStatus::Refused && script.mapper && !diagnostics.empty()) {
    std::fprintf(stderr,
                 "vprobe: note: the errors above are in the VP that emmett generated (each with the "
                 "Emmett line it came from); `emmett -o FILE.vp` shows that VP\n");
  }
  return fail(error);
}

vmx::RunSinks sinksFor(const PreparedScript& script, RecordMapper& records, bool json, StackOutputs& stacks) {
  vmx::RunSinks sinks;
  sinks.output = [&records, json, &stacks](std::string_view bytes) {
    if (json) return writeAll(STDOUT_FILENO, records.map(bytes));
    stacks.feed(bytes);
    return writeAll(STDOUT_FILENO, bytes);
  };
  sinks.error = [&script](std::string_view line) {
    std::string text = script.mapper ? script.mapper->runtimeLine(line) : std::string(line);
    // A closed stderr does not end the run: the output still matters.
    writeAll(STDERR_FILENO, text + "\n");
    return true;
  };
  return sinks;
}

// The exit status for how the run ended, after saying why if it is an error.
int finish(const vmx::RunResult& result, const std::string& vmx) {
  switch (result.end) {
    case vmx::RunEnd::Duration:
    case vmx::RunEnd::Signal:
    case vmx::RunEnd::OutputClosed:
    case vmx::RunEnd::Unloaded:
      return 0;
    case vmx::RunEnd::Replaced:
      return fail("another script was loaded into " + vmx + "; this one no longer runs");
    case vmx::RunEnd::VmStopped:
      return fail("the virtual machine powered off: " + vmx);
    case vmx::RunEnd::Failed:
      break;
  }
  return fail(result.error);
}

// Emmett errors come first, before the VM is even asked. A VM whose engine
// runs as an older VP (vprobe.version) than the script needs gets the
// compiler's error at the line that needs more.
bool checkEngineVersion(const Options& o, vmx::ScriptSession& session, PreparedScript& script, std::string& error) {
  std::string version;
  bool enabled = false;
  if (session.engineVersion(version, enabled, error) != vmx::SessionStatus::Ok) return false;
  vp::Version engine;
  if (!vp::parseVersion(version, engine) || script.version <= engine) return true;
  error.clear();
  return prepareScript(o, engine, script);
}

}  // namespace

int run(const Options& o) {
  // Blocked from here on, so a Ctrl-C can never leave the script loaded.
  vmx::StopSignals signals;
  PreparedScript script;
  if (!prepareScript(o, vp::kEngineVersion, script)) return 1;
  StackOutputs stacks;
  if (!stacks.open(o)) return 1;
  std::unique_ptr<vmx::ScriptSession> session;
  std::string error;
  if (vmx::ScriptSession::connect(o.vmx, session, error) != vmx::SessionStatus::Ok) return fail(error);
  if (!checkEngineVersion(o, *session, script, error)) return error.empty() ? 1 : fail(error);
  if (signals.wait(std::chrono::milliseconds(0))) return fail("interrupted; nothing was loaded");
  std::vector<std::string> diagnostics;
  vmx::SessionStatus loaded = session->load(script.vp, script.name, diagnostics, error, o.format);
  printDiagnostics(diagnostics, script);
  if (loaded != vmx::SessionStatus::Ok) return loadFailed(loaded, diagnostics, script, error);
  if (session->scriptLoadedAtConnect() != 0) {
    std::fprintf(stderr, "vprobe: note: this script replaced the one that was loaded in %s\n", o.vmx.c_str());
  }
  vmx::RunOptions options;
  if (o.seconds) options.duration = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(*o.seconds * 1000)));
  RecordMapper records(script.mapper ? &*script.mapper : nullptr);
  bool json = o.format == vp::OutputFormat::Json;
  vmx::RunResult result = vmx::runScript(*session, signals, options, sinksFor(script, records, json, stacks));
  bool written = stacks.write();
  int status = finish(result, o.vmx);
  return status == 0 && !written ? 1 : status;
}

}  // namespace vprobe
