// vmrun start X.vmx [gui|nogui]: runs the VM process (build/bin/vmx, found
// beside this vmrun, else on PATH) and waits for it to report that the VM
// is up; its errors (a bad .vmx, the VM already running...) are printed by
// it. There is no GUI: gui and nogui mean the same.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/vmrun/commands.h"

namespace vmrun {
namespace {

std::string vmxBesideMe() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return {};
  std::string path(self, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + "vmx";
}

[[noreturn]] void execVmx(const std::string& vmxFile) {
  std::string beside = vmxBesideMe();
  // "--": a .vmx path starting with - is not an option.
  const char* argv[] = {"vmx", "--", vmxFile.c_str(), nullptr};
  if (!beside.empty() && ::access(beside.c_str(), X_OK) == 0) {
    ::execv(beside.c_str(), const_cast<char* const*>(argv));
  } else {
    ::execvp("vmx", const_cast<char* const*>(argv));
  }
  std::fprintf(stderr, "Error: cannot run the VM process (vmx): %s\n", std::strerror(errno));
  ::_exit(1);
}

}  // namespace

int start(const vmx::VmrunArgs& args) {
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    std::fprintf(stderr, "Error: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) execVmx(args.vmx);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace vmrun
