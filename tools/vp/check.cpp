// vp check FILE...: parse, check and compile; report every diagnostic.
#include "tools/vp/cli.h"

namespace vpcli {

int check(int argc, char** argv) {
  vp::Options opts;
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) {
    bool bad = false;
    if (engineOption(argc, argv, i, opts, bad)) {
      if (bad) return 2;
      continue;
    }
    files.push_back(argv[i]);
  }
  if (files.empty()) return usage("check needs at least one file");
  int status = 0;
  StdioSink sink;
  for (const auto& f : files) {
    std::string source;
    if (!readFile(f, source)) {
      status = 1;
      continue;
    }
    std::vector<vp::Diagnostic> diags;
    auto script = vp::Script::load(source, f, opts, sink, diags);
    printDiagnostics(diags, source);
    if (!script) status = 1;
  }
  return status;
}

}  // namespace vpcli
