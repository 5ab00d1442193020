// vprobe: runs an Emmett (or, with -i, VP) script in a running VM until
// Ctrl-C or -d SECONDS, printing its output; see options.h and
// docs/emmett.md ("Running scripts: vprobe").
#include <cstdio>
#include <string>

#include "tools/vprobe/commands.h"
#include "tools/vprobe/options.h"

int vprobe::fail(const std::string& message) {
  std::fprintf(stderr, "vprobe: error: %s\n", message.c_str());
  return 1;
}

int main(int argc, char** argv) {
  vprobe::Options options;
  if (auto status = vprobe::parseOptions(argc, argv, options)) return *status;
  if (options.listProbes) return options.symbolDatabases.empty() ? vprobe::listProbes(options) : vprobe::listSymbols(options);
  return vprobe::run(options);
}
