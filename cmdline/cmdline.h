// The command-line style every tool shares, on CLI11: -h/--help prints a
// usage line, every option, examples and the exit statuses; --version
// prints the VP version and the build; a usage error prints
// "TOOL: error: WHAT", the usage line and "run 'TOOL --help' ..." and exits
// with the usage status. Each tool defines its options in one file
// (tools/TOOL/options.cpp) and hands the CLI::App to parse().
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "cmdline/version.h"

namespace cmdline {

// The exit statuses every tool documents.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;      // the command ran and failed; the message says why
inline constexpr int kUsageError = 2;  // the command line is wrong; nothing was done

// What a tool says about itself. `usage` is the first line(s) of --help and
// of every usage error ("usage: vp check [OPTIONS] FILE..."); `examples`
// lines are shown under "Examples:" in --help.
struct ToolText {
  std::string name{};
  std::string usage{};
  std::string description{};
  std::string examples{};
  int usageStatus = kUsageError;  // vmrun keeps VMware's 1
  std::string helpFlags = "-h,--help";  // vmrun adds VMware's -?
  // A usage error is introduced by "TOOL: error: " unless this is set
  // (vmrun: "Error: ", as VMware's vmrun prints).
  std::string errorPrefix{};
};

// Sets -h/--help, --version, the help layout (usage line, options, the
// examples and exit statuses as the footer) on `app` and its subcommands
// added later.
void configure(CLI::App& app, const ToolText& text);

// Parses argv. Nothing is printed and nullopt is returned when the tool
// should go on; otherwise the exit status, after printing the help or the
// version to `out` or the usage error to `err`. Arguments CLI11 does not
// know are usage errors (unexpectedWord), checked here, not by CLI11, so
// the message can say what to type instead; except for a prefix command
// (CLI::App::prefix_command), whose remaining words are the tool's to read.
std::optional<int> parse(CLI::App& app, const ToolText& text, int argc, const char* const* argv,
                         std::ostream& out, std::ostream& err);
std::optional<int> parse(CLI::App& app, const ToolText& text, int argc, const char* const* argv);

// The whole of a tool's parse: a CLI::App configured from `text`, its
// options added by `define`, argv parsed, then `check` asked about what
// the options cannot say alone (a value's form, options that exclude each
// other): it returns what is wrong, or "" when nothing is. The result is
// parse()'s, or usageError()'s when `check` found something.
std::optional<int> parse(const ToolText& text, int argc, const char* const* argv,
                         const std::function<void(CLI::App&)>& define,
                         const std::function<std::string()>& check);

// Prints a usage error for a command line that parsed but makes no sense
// (a missing file, two options that exclude each other) the way parse()
// prints its own; returns text.usageStatus.
int usageError(const ToolText& text, const std::string& message, std::ostream& err);
int usageError(const ToolText& text, const std::string& message);

// "unknown option '--formt': did you mean '--format'?" for a word starting
// with '-', else "unexpected argument 'WORD'".
std::string unexpectedWord(const CLI::App& app, const std::string& word);

// The option of `app` (or of the subcommand that was parsed) closest to
// the unknown `word`, for "did you mean"; empty when none is close.
std::string closestOption(const CLI::App& app, std::string_view word);

}  // namespace cmdline
