// The list of running VMs behind `vmrun list`: one small JSON file per
// running VM in the user's runtime directory (vm_paths.h), written by the
// VM process once it is up and removed when it exits. An entry whose VM no
// longer holds its lock (the process was killed) is stale and is removed by
// the next listing. Operations take a lock on the directory, so that a
// listing never prunes the entry of a VM starting at the same moment.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vmx {

struct RegisteredVm {
  std::string vmx;     // absolute
  pid_t pid = 0;
  std::string socket;  // where its control socket is
  std::string lock;    // its lock file (liveness)
};

class VmRegistry {
 public:
  explicit VmRegistry(std::string runtimeDir) : dir_(std::move(runtimeDir)) {}

  // Writes the entry (atomically: a listing never sees half of one).
  bool add(const RegisteredVm& vm, std::string& error);
  void remove(const std::string& vmx);
  // The running VMs, sorted by path; stale entries are deleted.
  std::vector<RegisteredVm> running();

 private:
  std::string entryPath(const std::string& vmx) const;

  std::string dir_;
};

}  // namespace vmx
