// vp: check, run (against a synthetic target) and inspect VP scripts.
#include <cstring>

#include "tools/vp/cli.h"

int main(int argc, char** argv) {
  if (argc < 2) return vpcli::usage(nullptr);
  const char* cmd = argv[1];
  if (!strcmp(cmd, "check")) return vpcli::check(argc - 2, argv + 2);
  if (!strcmp(cmd, "run")) return vpcli::run(argc - 2, argv + 2);
  if (!strcmp(cmd, "dump")) return vpcli::dump(argc - 2, argv + 2);
  return vpcli::usage((std::string("unknown command '") + cmd + "'").c_str());
}
