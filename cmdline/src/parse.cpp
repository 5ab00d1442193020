#include <iostream>
#include <memory>
#include <regex>

#include "cmdline/cmdline.h"
#include "cmdline/src/help_formatter.h"

namespace cmdline {
namespace {

std::string footer(const ToolText& text) {
  std::string s;
  if (!text.examples.empty()) s += "Examples:\n" + text.examples + "\n\n";
  if (text.usageStatus == kUsageError) {
    s += "Exit status: 0 success, 1 failure (the message says why), 2 usage error.";
  } else {
    s += "Exit status: 0 success, " + std::to_string(text.usageStatus) +
         " failure or usage error (the message says which).";
  }
  return s;
}

// A tool with subcommands prints them all, with their options, for a
// plain --help: one screen answers "which option was it".
std::string helpOf(const CLI::App& app) {
  bool chose = !app.get_subcommands().empty();
  bool hasSubcommands = !app.get_subcommands({}).empty();
  return app.help("", !chose && hasSubcommands ? CLI::AppFormatMode::All : CLI::AppFormatMode::Normal);
}

// The first word CLI11 set aside, said as what is wrong with it; empty
// when there is none. Asked first, also when CLI11 found something else
// wrong: an unknown option explains "FILE is required" that follows it.
std::string firstUnexpected(const CLI::App& app) {
  for (const std::string& word : app.remaining(true)) {
    if (word == "--") continue;
    if (word[0] != '-' && app.get_subcommands().empty() && !app.get_subcommands({}).empty()) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      return "unknown command '" + word + "': expected " + names;
    }
    return unexpectedWord(app, word);
  }
  return {};
}

// CLI11's counting messages, said as what to type: "--vcpu: 1 required N
// missing" is "--vcpu needs a value (N)"; "FILE: At Most 1 required but
// received 2" is "FILE is one, not 2".
std::string plainMessage(const CLI::ParseError& e) {
  static const std::regex missing(R"(^(\S+): 1 required (\S+) missing$)");
  static const std::regex tooMany(R"(^(\S+): At Most 1 required but received (\d+)$)");
  std::string what = e.what();
  std::smatch m;
  if (std::regex_match(what, m, missing)) return m[1].str() + " needs a value (" + m[2].str() + ")";
  if (std::regex_match(what, m, tooMany)) {
    std::string name = m[1].str();
    return name.starts_with("-") ? name + " may be given once, not " + m[2].str() + " times"
                                 : "one " + name + " only, not " + m[2].str();
  }
  return what;
}

// "--NAME=" with nothing after the '=': CLI11 would take the next word as
// the value (a VMX, another option), so it is refused before CLI11 sees
// it. Empty when no such word names an option that takes a value. A
// prefix command's words after the first non-option are its own.
std::string emptyValue(const CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--" || (app.get_prefix_command() && !word.starts_with("-"))) break;
    if (!word.starts_with("--") || !word.ends_with("=")) continue;
    std::string name(word.substr(0, word.size() - 1));
    const CLI::Option* opt = app.get_option_no_throw(name);
    if (opt == nullptr || opt->get_type_size() == 0) continue;
    std::string value = opt->get_type_name().empty() ? "VALUE" : opt->get_type_name();
    return "option " + name + "= gives no " + value + ": write " + name + "=" + value +
           " or " + name + " " + value;
  }
  return {};
}

}  // namespace

std::string unexpectedWord(const CLI::App& app, const std::string& word) {
  if (word.size() < 2 || word[0] != '-') return "unexpected argument '" + word + "'";
  std::string message = "unknown option '" + word + "'";
  std::string near = closestOption(app, word);
  if (!near.empty()) message += ": did you mean '" + near + "'?";
  return message;
}

void configure(CLI::App& app, const ToolText& text) {
  app.name(text.name);
  app.description(text.description);
  app.formatter(std::make_shared<HelpFormatter>(text.usage));
  app.set_help_flag(text.helpFlags, "print this help and exit");
  app.set_version_flag("--version", versionText(text.name),
                       "print the VP version and the build, and exit");
  app.footer(footer(text));
  // Unknown words are reported by parse(), which can say what to type.
  app.allow_extras();
}

std::optional<int> parse(CLI::App& app, const ToolText& text, int argc, const char* const* argv,
                         std::ostream& out, std::ostream& err) {
  std::string empty = emptyValue(app, argc, argv);
  if (!empty.empty()) return usageError(text, empty, err);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << helpOf(app);
    return kOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return kOk;
  } catch (const CLI::ParseError& e) {
    std::string unknown = app.get_prefix_command() ? "" : firstUnexpected(app);
    return usageError(text, unknown.empty() ? plainMessage(e) : unknown, err);
  }
  // A prefix command's remaining words are its own to read.
  if (app.get_prefix_command()) return std::nullopt;
  std::string unknown = firstUnexpected(app);
  if (!unknown.empty()) return usageError(text, unknown, err);
  return std::nullopt;
}

std::optional<int> parse(CLI::App& app, const ToolText& text, int argc, const char* const* argv) {
  return parse(app, text, argc, argv, std::cout, std::cerr);
}

std::optional<int> parse(const ToolText& text, int argc, const char* const* argv,
                         const std::function<void(CLI::App&)>& define,
                         const std::function<std::string()>& check) {
  CLI::App app;
  configure(app, text);
  define(app);
  if (auto status = parse(app, text, argc, argv)) return status;
  std::string error = check();
  if (!error.empty()) return usageError(text, error);
  return std::nullopt;
}

int usageError(const ToolText& text, const std::string& message, std::ostream& err) {
  std::string prefix = text.errorPrefix.empty() ? text.name + ": error: " : text.errorPrefix;
  std::string usage = text.usage;
  if (!usage.empty() && usage.back() != '\n') usage += '\n';
  err << prefix << message << "\n\n"
      << usage << "run '" << text.name << " --help' for every option and an example\n";
  err.flush();
  return text.usageStatus;
}

int usageError(const ToolText& text, const std::string& message) {
  return usageError(text, message, std::cerr);
}

}  // namespace cmdline
