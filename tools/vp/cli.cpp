#include "tools/vp/cli.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vp/src/sexpr.h"

namespace vpcli {

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fprintf(stderr, "vp: cannot read %s: %s\n", path.c_str(), strerror(errno));
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
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

bool engineOption(int argc, char** argv, int& i, vp::Options& o, bool& bad) {
  std::string flag = argv[i];
  if (flag != "--code-bytes" && flag != "--vp-version" && flag != "--bag-bytes") return false;
  if (i + 1 >= argc) {
    bad = true;
    usage((flag + " needs a value").c_str());
    return true;
  }
  std::string value = argv[++i];
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
      "              [ENGINE-OPTIONS] EVENT...\n"
      "       vp dump [ENGINE-OPTIONS] FILE\n"
      "ENGINE-OPTIONS: --code-bytes N (translation cache, default 16384, at most 65536)\n"
      "                --vp-version M.N (behave as an older VP version)  --bag-bytes N\n"
      "EVENT: PROBE[xCOUNT][:ARG0,ARG1,...], e.g. VMM1Hz, Guest_IRQx3:0x20, USEC:333333x9\n",
      stderr);
  return 2;
}

}  // namespace vpcli
