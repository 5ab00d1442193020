// vp dump FILE: machine code size per probe and function, against the cap.
#include "tools/vp/cli.h"

namespace vpcli {

int dump(int argc, char** argv) {
  vp::Options opts;
  std::string file;
  for (int i = 0; i < argc; ++i) {
    bool bad = false;
    if (engineOption(argc, argv, i, opts, bad)) {
      if (bad) return 2;
      continue;
    }
    if (!file.empty()) return usage("dump takes one file");
    file = argv[i];
  }
  if (file.empty()) return usage("dump needs a file");
  std::string source;
  if (!readFile(file, source)) return 1;
  StdioSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(source, file, opts, sink, diags);
  printDiagnostics(diags, source);
  if (!script) return 1;
  size_t sum = 0;
  for (const auto& s : script->codeSizes()) {
    printf("%8zu  %s\n", s.bytes, s.name.c_str());
    sum += s.bytes;
  }
  printf("%8zu  runtime glue (entry trampoline, error unwinding)\n", script->codeBytes() - sum);
  printf("%8zu  total of %u bytes (vprobe.maxCodeBytes), %.1f%% used\n", script->codeBytes(),
         opts.maxCodeBytes, 100.0 * script->codeBytes() / opts.maxCodeBytes);
  return 0;
}

}  // namespace vpcli
