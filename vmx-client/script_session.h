// A client's VP script in a running VM, for a command that loads a script
// and stays to watch it (`vprobe`): it loads the script over the control
// socket, follows the VM's vprobe.out and vprobe.err from the moment of
// the load, and in the end unloads that script and no other.
//
// Every method talks to the VM with one request (control_client.h). A VM
// that stops answering because it powered off is reported as such
// (SessionStatus::NotRunning), not as a failure of the request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmx-client/control_protocol.h"
#include "vmx-client/file_follower.h"
#include "vmx-client/vm_paths.h"
#include "vp/output_record.h"

namespace vmx {

enum class SessionStatus {
  Ok,
  NotRunning,  // the VM is not powered on (any more)
  Refused,     // the VM answered with an error (see error, diagnostics)
  Failed,      // no usable answer; error says why
};

// Where the loaded script stands, as the VM reports it.
enum class ScriptState {
  Loaded,     // still ours and running
  Unloaded,   // no script: it called (exit), or someone ran vprobeReset
  Replaced,   // another script was loaded since (someone else's)
  VmStopped,  // the VM powered off, or is powering off
};

class ScriptSession {
 public:
  // Finds the VM of `vmx` (a path to its .vmx) and asks for its status.
  // NotRunning when it is not powered on; `error` is a sentence either way.
  static SessionStatus connect(const std::string& vmx,
                               std::unique_ptr<ScriptSession>& out,
                               std::string& error);

  // vprobeVersion: the VP version the VM's engine runs as ("1.2") and
  // whether scripts may load (vprobe.allow and vprobe.enable).
  SessionStatus engineVersion(std::string& version, bool& enabled, std::string& error);
  // vprobeListProbes.
  SessionStatus listProbes(std::vector<std::string>& probes, std::string& error);

  // The id of the script loaded when connect() asked (0: none), e.g. to
  // warn that loading will replace it. (load() replaces it only once the
  // new script has compiled in the VM; its unload output is then the first
  // thing readOutput() returns.)
  uint64_t scriptLoadedAtConnect() const { return loadedAtConnect_; }

  // Loads `script`, named `sourceName` in the engine's diagnostics.
  // Output is followed from the ends the files had just before the load,
  // so readOutput() returns what this script prints, its load probes
  // included. Refused: `error` is the VM's sentence and `diagnostics` the
  // engine's errors. On Ok, `diagnostics` holds the warnings. With
  // OutputFormat::Json the script prints JSON records, and readOutput()'s
  // `out` follows vprobe.json instead of vprobe.out.
  SessionStatus load(const std::string& script, const std::string& sourceName,
                     std::vector<std::string>& diagnostics, std::string& error,
                     vp::OutputFormat format = vp::OutputFormat::Text);

  // Where the loaded script stands (one status request).
  ScriptState state(std::string& error);

  // Unloads the script this session loaded, if it is still the loaded one
  // (its unload probes run before this returns). `unloaded` is false when
  // it was not (state() would have said Unloaded or Replaced).
  SessionStatus unload(bool& unloaded, std::string& error);

  // Appends what the script printed since the last call: vprobe.out to
  // `out`, vprobe.err to `err`. False with `error` if a file cannot be read.
  bool readOutput(std::string& out, std::string& err, std::string& error);

  const std::string& vmx() const { return vmx_; }

 private:
  ScriptSession(std::string vmx, VmPaths paths) : vmx_(std::move(vmx)), paths_(std::move(paths)) {}
  // One request; on Ok, `reply` holds the VM's answer. On Refused,
  // `error` is the VM's sentence and `diagnostics` (if given) its lines.
  template <class Req>
  SessionStatus request(const Req& request, typename Req::Reply& reply, std::string& error,
                        std::vector<std::string>* diagnostics = nullptr);

  std::string vmx_;  // as the user named it, for messages
  VmPaths paths_;
  std::string outPath_, errPath_, jsonPath_;
  uint64_t loadedAtConnect_ = 0;
  uint64_t script_ = 0;  // ours, once loaded
  std::unique_ptr<FileFollower> out_, err_;
};

}  // namespace vmx
