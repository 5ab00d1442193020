// The options of every tool that compiles Emmett (emmett, vprobe): -D, -I
// and -T, defined once so that their help and behaviour are the same in
// each. The values are kept as given; emmett::parseDefines reads -D's.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace cmdline {

struct EmmettInputs {
  std::vector<std::string>& defines;          // -D NAME[=VAL], each as given
  std::vector<std::string>& includeDirs;      // -I DIR
  std::vector<std::string>& symbolDatabases;  // -T [NAME=]SYMDB
};

void addEmmettInputOptions(CLI::App& app, const EmmettInputs& inputs);

}  // namespace cmdline
