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
  // An argument is its name and description: the usage line shows which
  // are required, and "TEXT REQUIRED" after each said nothing more.
  std::string make_option_opts(const CLI::Option* opt) const override;

 private:
  std::string usage_;  // the root's; subcommands get CLI11's, from their options
};

}  // namespace cmdline
