// The VM process's control server: accepts `vmrun` connections on the
// control socket and answers requests (control_protocol.h) on its own
// thread, the control thread.
//
// Every connection is checked with SO_PEERCRED: only the VM's owner and
// root are served (the socket's mode 0600 already keeps others out; the
// check keeps it so if the mode is ever widened). Requests from all
// connections run one at a time on the control thread, so the Machine and
// the ProbeHost are never called concurrently by it. A connection that sends
// garbage or an oversized line gets an error reply; nothing else is
// disturbed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "vmx-engine/machine.h"
#include "vmx-engine/probe_host.h"
#include "vmx-engine/probe_output.h"
#include "vmx-client/unique_fd.h"
#include "vmx-engine/vprobe_policy.h"

namespace vmx {

// What requests act on. The references must outlive the server.
struct ControlTargets {
  Machine& machine;
  ProbeHost& probes;
  ProbeOutput& output;
  VprobePolicy policy;
  std::string vmxPath;
  std::string displayName;
  // Moves probe output still held for time ordering (ordered_output.h)
  // into the files. Called before replying to a load, a reset or a status,
  // so that a client reading vprobe.out after the reply finds everything
  // the load and unload probes printed. Empty: output goes straight to the
  // files.
  std::function<void()> flushOutput = nullptr;
  // Probe output lines dropped so far because a thread's buffer was full
  // (ordered_output.h), for vprobeStats' output.lost_lines; empty: none.
  std::function<uint64_t()> lostOutputLines = nullptr;
};

class ControlServer {
 public:
  // Creates the listening socket at `path` (see unix_socket.h: mode 0600; a
  // stale file there is replaced, so hold the VM's lock first). Call while
  // the process is still single-threaded. Null with `error` on failure.
  static std::unique_ptr<ControlServer> listen(const std::string& path,
                                               std::string& error);

  // Stops serving and removes the socket file.
  ~ControlServer();

  // Starts the control thread. `stopSignalFd`, if valid, is a signalfd
  // whose signals (SIGTERM, SIGINT) stop the VM as `vmrun stop` does.
  void start(ControlTargets targets, UniqueFd stopSignalFd = {});

  // Stops the control thread after it has sent the replies it owes (for
  // up to a second), and joins it. Idempotent.
  void stop();

  const std::string& path() const { return path_; }

 private:
  ControlServer(std::string path, UniqueFd listenFd, UniqueFd wakeFd);

  std::string path_;
  UniqueFd listenFd_;
  UniqueFd wakeFd_;  // eventfd: tells the control thread to finish
  std::thread thread_;
};

}  // namespace vmx
