#include "tools/vp/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "vp/src/sexpr.h"

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

namespace {

// --syms FILE: the guest symbols GUEST:symbol probes resolve against.
bool loadSymbols(const std::string& path, vp::Options& o) {
  std::string text, error;
  if (!readFile(path, text)) return false;
  auto syms = std::make_shared<vp::GuestSymbols>();
  if (!vp::GuestSymbols::parse(text, path, *syms, error)) {
    fprintf(stderr, "vp: %s\n", error.c_str());
    return false;
  }
  o.guestSymbols = std::move(syms);
  return true;
}

}  // namespace

bool engineOption(int argc, char** argv, int& i, vp::Options& o, bool& bad) {
  std::string flag = argv[i];
  if (flag != "--code-bytes" && flag != "--vp-version" && flag != "--bag-bytes" &&
      flag != "--syms") {
    return false;
  }
  if (i + 1 >= argc) {
    bad = true;
    usage((flag + " needs a value").c_str());
    return true;
  }
  std::string value = argv[++i];
  if (flag == "--syms") {
    bad = !loadSymbols(value, o);
    return true;
  }
  uint64_t n = 0;
  bool overflow = false;
  if (flag == "--vp-version") {
    bad = !vp::parseVersion(value, o.version);
  } else if (!vp::parseIntegerLiteral(value, n, overflow) || overflow) {
    bad = true;
  } else if (flag == "--code-bytes") {
    bad = n > UINT32_MAX;
    o.maxCodeBytes = static_cast<uint32_t>(n);
  } else {
    o.bagBytes = n;
  }
  if (bad) usage(("bad value for " + flag + ": " + value).c_str());
  return true;
}

int usage(const char* why) {
  if (why) fprintf(stderr, "vp: %s\n", why);
  fputs(
      "usage: vp check [ENGINE-OPTIONS] FILE...\n"
      "       vp run FILE [--interp] [--vcpu N] [--reg NAME=VALUE]... [--mem ADDR=HEXBYTES]...\n"
      "              [-f|--format text|json] [ENGINE-OPTIONS] EVENT...\n"
      "       vp dump [ENGINE-OPTIONS] FILE\n"
      "ENGINE-OPTIONS: --code-bytes N (translation cache, default 16384, at most 65536)\n"
      "                --vp-version M.N (behave as an older VP version)  --bag-bytes N\n"
      "                --syms FILE (guest symbols for GUEST:symbol probes: nm, System.map)\n"
      "EVENT: PROBE[xCOUNT][:ARG0,ARG1,...], e.g. VMM1Hz, Guest_IRQx3:0x20, USEC:333333x9\n",
      stderr);
  return 2;
}

}  // namespace vpcli
