#include "vmx-client/vm_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "vmx-client/unix_socket.h"

namespace vmx {

std::string vmId(const std::string& canonicalVmx) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : canonicalVmx) {
    hash = (hash ^ c) * 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

VmPaths vmPathsFor(const std::string& canonicalVmx,
                   const std::string& runtimeDir) {
  VmPaths p;
  p.vmx = canonicalVmx;
  size_t slash = canonicalVmx.rfind('/');
  p.dir = slash == std::string::npos ? "." : canonicalVmx.substr(0, slash);
  if (p.dir.empty()) p.dir = "/";
  std::string id = vmId(canonicalVmx);
  p.lock = canonicalVmx + ".lck";
  p.socket = canonicalVmx + ".sock";
  if (!fitsSocketPath(p.socket)) {
    p.socket = runtimeDir + "/" + id + ".sock";
    p.socketInRuntimeDir = true;
  }
  p.log = (p.dir == "/" ? "" : p.dir) + "/vmx.log";
  p.runtimeDir = runtimeDir;
  p.registryEntry = runtimeDir + "/" + id + ".vm";
  return p;
}

std::string defaultRuntimeDir() {
  const char* own = std::getenv("VPROBE_RUNTIME_DIR");
  if (own != nullptr && *own != '\0') return own;
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/vprobes";
  return "/tmp/vprobes-" + std::to_string(::geteuid());
}

bool prepareRuntimeDir(const std::string& dir, std::string& error) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + dir + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    error = "cannot use " + dir + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) != 0) {
    error = "refusing to use " + dir +
            ": it must be a directory owned by you with mode 0700";
    return false;
  }
  return true;
}

bool canonicalPath(const std::string& given, std::string& out,
                   std::string& error) {
  char resolved[PATH_MAX];
  if (::realpath(given.c_str(), resolved) == nullptr) {
    error = std::strerror(errno);
    return false;
  }
  out = resolved;
  return true;
}

}  // namespace vmx
