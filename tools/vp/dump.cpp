// vp dump FILE: machine code size per probe and function, against the cap.
#include "tools/vp/cli.h"

namespace vpcli {

namespace {

void printSizes(const vp::Script::CodeReport& code, uint32_t cap) {
  size_t sum = 0;
  for (const auto& s : code.functions) {
    printf("%8zu  %s\n", s.bytes, s.name.c_str());
    sum += s.bytes;
  }
  printf("%8zu  runtime glue (entry trampoline, error unwinding)\n", code.total - sum);
  printf("%8zu  total of %u bytes (vprobe.maxCodeBytes), %.1f%% used\n", code.total, cap,
         100.0 * static_cast<double>(code.total) / cap);
}

}  // namespace

int dump(const Args& args) {
  const std::string& file = args.files.front();
  vp::Options opts = args.engine;
  std::string source;
  if (!readFile(file, source)) return 1;
  StdioSink sink;
  std::vector<vp::Diagnostic> diags;
  vp::Script::CodeReport code;
  auto script = vp::Script::load(source, file, opts, sink, diags, &code);
  // The sizes come first, also for a script that does not fit: they tell
  // the user what to shrink.
  if (code.total) printSizes(code, opts.maxCodeBytes);
  printDiagnostics(diags, source);
  return script ? 0 : 1;
}

}  // namespace vpcli
