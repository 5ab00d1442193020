// vprobe: runs an Emmett (or, with -i, VP) script in a running VM until
// Ctrl-C or -d SECONDS, printing its output; see options.h and
// docs/emmett.md ("Running scripts: vprobe").
#include <cstdio>
#include <string>
#include <vector>

#include "tools/vprobe/commands.h"
#include "tools/vprobe/options.h"

int vprobe::fail(const std::string& message) {
  std::fprintf(stderr, "vprobe: error: %s\n", message.c_str());
  return 1;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  vprobe::Options options;
  std::string error;
  if (!vprobe::parseOptions(args, options, error)) {
    std::fprintf(stderr, "vprobe: error: %s\n%s", error.c_str(), vprobe::usage().c_str());
    return 1;
  }
  if (options.help) {
    std::fputs(vprobe::usage().c_str(), stdout);
    return 0;
  }
  if (options.listProbes) return options.symbolDatabases.empty() ? vprobe::listProbes(options) : vprobe::listSymbols(options);
  return vprobe::run(options);
}
