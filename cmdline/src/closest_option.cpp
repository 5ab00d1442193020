// "did you mean": the known option nearest to what was typed, by edit
// distance, so a typo (--fromat, -format) gets its correction.
#include <algorithm>
#include <vector>

#include "cmdline/cmdline.h"

namespace cmdline {
namespace {

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Every spelling of the options of `app`: "-h", "--help", ...
std::vector<std::string> spellings(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
  }
  return out;
}

}  // namespace

std::string closestOption(const CLI::App& app, std::string_view word) {
  std::string_view name = word.substr(0, word.find('='));
  // One letter is no typo of another: -x is not a misspelt -f.
  if (name.size() <= 2) return {};
  const CLI::App* scope = &app;
  // The subcommand given on the line, whose options are the ones meant.
  while (!scope->get_subcommands().empty()) scope = scope->get_subcommands().front();
  std::string best;
  // Close means at most a third of the name wrong: a typo, not another word.
  size_t bestDistance = std::max<size_t>(1, name.size() / 3) + 1;
  for (const std::string& s : spellings(*scope)) {
    size_t d = editDistance(name, s);
    // "-format" for "--format": one dash short is the same word.
    if (("-" + std::string(name)) == s) d = 0;
    if (d < bestDistance) bestDistance = d, best = s;
  }
  return best;
}

}  // namespace cmdline
