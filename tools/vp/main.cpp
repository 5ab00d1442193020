// vp: check, run (against a synthetic target) and inspect VP scripts; the
// command line is options.h.
#include "tools/vp/cli.h"

int main(int argc, char** argv) {
  vpcli::Args args;
  if (auto status = vpcli::parseArgs(argc, argv, args)) return *status;
  switch (args.command) {
    case vpcli::Command::Check: return vpcli::check(args);
    case vpcli::Command::Run: return vpcli::run(args);
    case vpcli::Command::Dump: return vpcli::dump(args);
  }
  return 1;
}
