// The layout of every tool's --help: the tool's own usage line first (CLI11
// would put the description first and make up a usage line), then the
// description, the arguments, the options, the subcommands and the footer
// (examples, exit statuses).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cmdline {

class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(std::string usage);
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
  std::string make_usage(const CLI::App* app, std::string name) const override;
  // An option is its names and its value ("-d SECONDS", "..." when it may
  // be repeated); an argument its name. CLI11's "TEXT REQUIRED",
  // "Needs: -l" and "Excludes: -o" are left to the usage line, the
  // descriptions and the error a wrong combination gets.
  std::string make_option_opts(const CLI::Option* opt) const override;

 private:
  std::string usage_;  // the root's; subcommands get CLI11's, from their options
};

}  // namespace cmdline
