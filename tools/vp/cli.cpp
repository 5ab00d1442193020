#include "tools/vp/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vpcli {

bool readFile(const std::string& path, std::string& out) {
  // POSIX reads, not ifstream: opening a directory succeeds and only the
  // read says it is one (EISDIR), which ifstream turns into an empty file.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0;
  out.clear();
  char buf[65536];
  while (ok) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  int err = errno;
  if (fd >= 0) close(fd);
  if (!ok) fprintf(stderr, "vp: cannot read %s: %s\n", path.c_str(), strerror(err));
  return ok;
}

void printDiagnostics(const std::vector<vp::Diagnostic>& diags, const std::string& source) {
  for (const auto& d : diags) fputs(d.render(source).c_str(), stderr);
}

bool hasErrors(const std::vector<vp::Diagnostic>& diags) {
  for (const auto& d : diags) {
    if (d.severity == vp::Diagnostic::Severity::Error) return true;
  }
  return false;
}

}  // namespace vpcli
