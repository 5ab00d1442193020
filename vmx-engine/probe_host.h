// The probe side of the VM process, as the control plane sees it: where a
// VP script goes when `vmrun vprobeLoad` sends one.
//
// Implemented by the integration of the VP engine (vp/vp.h) with the
// monitor: it compiles the script with the options of the .vmx
// (VmxConfig::vpOptions), arms its probes on the vCPU and VMX threads and
// fires the load and unload probes. The control plane calls these methods
// from one thread at a time (the control thread, which is itself a VMX
// thread: VMXLoad/VMXUnload may fire on it), and never before the policy
// (vprobe.allow, vprobe.enable) allowed the load.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vp/output_record.h"

namespace vmx {

struct LoadResult {
  bool ok = false;
  // The engine's diagnostics, each rendered as vp::Diagnostic::render does
  // ("FILE:LINE:COL: error: MESSAGE", the source line and a caret). On
  // failure at least one error; on success possibly warnings (version
  // mismatches, table 3-1 of the reference).
  std::vector<std::string> diagnostics;
  // On success: the loaded script's id, never 0 and never reused in this
  // VM process, so a client can later tell whether its script is still the
  // one loaded (loadedScript, resetScript).
  uint64_t script = 0;
};

class ProbeHost {
 public:
  virtual ~ProbeHost() = default;

  // Compiles `source` and, if it compiles, replaces the running script with
  // it: the old one is unloaded first (its unload probes fire), then the new
  // one's load probes fire. On failure the running script is left as it was.
  // `sourceName` is what diagnostics call the file ("<command line>" for
  // vprobeLoad, the file's path for vprobeLoadFile and vprobe.vpFile).
  // `format` is how the script prints (vp::Options::format).
  virtual LoadResult load(std::string_view source, const std::string& sourceName,
                          vp::OutputFormat format) = 0;

  // Unloads the running script, firing its unload probes (VMMUnload on
  // each vCPU while the vCPUs still run, VMXUnload on the calling thread).
  // Does nothing when no script is loaded. `vmrun vprobeReset`, `vmrun
  // stop`, and the VM process's exit all end here.
  virtual void reset() = 0;

  // The id of the loaded script (LoadResult::script), 0 when none is: a
  // script that called (exit) has unloaded itself.
  virtual uint64_t loadedScript() = 0;

  // Unloads script `script` as reset() does, but only if it is still the
  // loaded one; false (and nothing done) when it is not: it unloaded itself
  // or a later load replaced it, and that later script is someone else's.
  virtual bool resetScript(uint64_t script) = 0;

  // Probe points this VM offers, one name per entry, as
  // `vmrun vprobeListProbes` prints them.
  virtual std::vector<std::string> listProbes() = 0;

  // Global variables, one per entry, as `vmrun vprobeListGlobals` prints
  // them.
  virtual std::vector<std::string> listGlobals() = 0;

  // The VP version the engine runs as ("1.0"): vprobe.version of the .vmx,
  // else the engine's own. `vmrun vprobeVersion` prints it.
  virtual std::string version() = 0;
};

}  // namespace vmx
