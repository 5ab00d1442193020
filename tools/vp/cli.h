// Shared pieces of the `vp` command's subcommands.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

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
// Parses an engine option shared by the subcommands (--code-bytes N,
// --vp-version M.N, --bag-bytes N, --syms FILE) at argv[i]; advances i.
// Sets `bad` (having said why) when the value is wrong.
bool engineOption(int argc, char** argv, int& i, vp::Options& o, bool& bad);
int usage(const char* why);

int check(int argc, char** argv);
int run(int argc, char** argv);
int dump(int argc, char** argv);

}  // namespace vpcli
