// Where a VM's files are. As VMware does, they live beside the .vmx:
//   X.vmx.lck     the lock: held (flock) by the running VM process, which
//                 writes its pid and its socket path into it
//   X.vmx.sock    the control socket (mode 0600)
//   vmx.log       the VM process's log (its stdout and stderr)
//   vprobe.out, vprobe.err, serial.log: see vmx_config.h
// When "X.vmx.sock" would not fit in sockaddr_un::sun_path, the socket is
// <runtime dir>/<id>.sock instead, where <id> is derived from the .vmx's
// path, so vmrun finds it the same way; vmx.log and the registry record
// which was used.
//
// The runtime directory, private to the user, holds one registry entry per
// running VM (<id>.vm, see vm_registry.h): $VPROBE_RUNTIME_DIR if set,
// else $XDG_RUNTIME_DIR/vprobes, else /tmp/vprobes-<uid>. vmrun and the VM
// processes must see the same one.
#pragma once

#include <string>

namespace vmx {

struct VmPaths {
  std::string vmx;  // absolute, symlinks resolved
  std::string dir;
  std::string lock;
  std::string socket;
  bool socketInRuntimeDir = false;
  std::string log;
  std::string runtimeDir;
  std::string registryEntry;
};

VmPaths vmPathsFor(const std::string& canonicalVmx,
                   const std::string& runtimeDir);

// A short stable name for a VM: 16 hex digits of a hash of its path.
std::string vmId(const std::string& canonicalVmx);

std::string defaultRuntimeDir();

// Creates the runtime directory if missing (mode 0700) and checks that it is
// a real directory owned by this user and closed to everyone else; false
// with `error` otherwise (someone else may have made it to spy on us).
bool prepareRuntimeDir(const std::string& dir, std::string& error);

// The absolute path of `given` with symlinks resolved, the VM's identity:
// "vm/a.vmx" and "/home/u/vm/a.vmx" are the same VM.
bool canonicalPath(const std::string& given, std::string& out,
                   std::string& error);

}  // namespace vmx
