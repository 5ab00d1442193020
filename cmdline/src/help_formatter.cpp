#include "cmdline/src/help_formatter.h"

#include <sstream>
#include <utility>

namespace cmdline {

HelpFormatter::HelpFormatter(std::string usage) : usage_(std::move(usage)) {
  label("Usage", "usage");
  label("Positionals", "Arguments");
  column_width(28);
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string name,
                                     CLI::AppFormatMode mode) const {
  if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
  std::ostringstream out;
  out << make_usage(app, name);
  std::string description = make_description(app);
  if (!description.empty()) out << '\n' << description;
  out << make_positionals(app) << make_groups(app, mode) << make_subcommands(app, mode);
  std::string text = out.str();
  std::string footer = make_footer(app);
  if (!footer.empty()) text += (text.ends_with("\n\n") ? "" : "\n") + footer;
  return text;
}

std::string HelpFormatter::make_usage(const CLI::App* app, std::string name) const {
  if (app->get_parent() == nullptr && !usage_.empty()) return usage_ + "\n";
  return CLI::Formatter::make_usage(app, std::move(name));
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  std::string s;
  if (opt->get_positional() || opt->get_type_size() == 0) return s;
  if (!opt->get_type_name().empty()) s += " " + get_label(opt->get_type_name());
  if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) s += " ...";
  return s;
}

}  // namespace cmdline
