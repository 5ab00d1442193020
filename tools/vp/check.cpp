// vp check FILE...: parse, check and compile; report every diagnostic.
#include "tools/vp/cli.h"

namespace vpcli {

int check(const Args& args) {
  int status = 0;
  StdioSink sink;
  for (const auto& f : args.files) {
    std::string source;
    if (!readFile(f, source)) {
      status = 1;
      continue;
    }
    std::vector<vp::Diagnostic> diags;
    auto script = vp::Script::load(source, f, args.engine, sink, diags);
    printDiagnostics(diags, source);
    if (!script) status = 1;
  }
  return status;
}

}  // namespace vpcli
