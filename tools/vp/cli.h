// Shared pieces of the `vp` command's subcommands; their command line is
// options.h.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "tools/vp/options.h"
#include "vp/vp.h"

namespace vpcli {

// Probe output to stdout, probe errors to stderr, as they happen.
class StdioSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view text) override {
    fwrite(text.data(), 1, text.size(), stdout);
    fflush(stdout);
  }
  void error(uint64_t, std::string_view line) override {
    fwrite(line.data(), 1, line.size(), stderr);
    fflush(stderr);
  }
};

bool readFile(const std::string& path, std::string& out);
void printDiagnostics(const std::vector<vp::Diagnostic>& diags, const std::string& source);
bool hasErrors(const std::vector<vp::Diagnostic>& diags);

// Each returns the exit status: 0, or 1 after printing why.
int check(const Args& args);
int run(const Args& args);
int dump(const Args& args);

}  // namespace vpcli
