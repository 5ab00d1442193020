#include "emmett2vp/src/sema/format_check.h"

#include <algorithm>
#include <cctype>

namespace emmett {

namespace {

// The engine's bound on a width or precision.
constexpr unsigned kMaxField = 4096;

bool readField(std::string_view f, size_t& i) {
  unsigned value = 0;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '9'; ++i) {
    value = value * 10 + static_cast<unsigned>(f[i] - '0');
    if (value > kMaxField) return false;
  }
  return true;
}

// Reads one conversion from just after its '%' (and printa's selector) to
// past its conversion character, as the engine's printf does. `stars`
// (printf only; null for printa, whose fields cannot take arguments)
// counts the `*` width and precision, each an integer argument before the
// conversion's own. "" or what is wrong.
std::string readConversion(std::string_view f, size_t& i, size_t start, int* stars) {
  auto star = [&]() {
    if (i >= f.size() || f[i] != '*') return false;
    ++i;
    return true;
  };
  const char* noStar = "printa's fields take no '*' width or precision";
  while (i < f.size() && std::string_view("-+ #0").find(f[i]) != std::string_view::npos) ++i;
  if (star()) {
    if (!stars) return noStar;
    ++*stars;
  } else if (!readField(f, i)) {
    return "a field width larger than 4096 in the format";
  }
  if (i < f.size() && f[i] == '.') {
    ++i;
    if (star()) {
      if (!stars) return noStar;
      ++*stars;
    } else if (!readField(f, i)) {
      return "a precision larger than 4096 in the format";
    }
  }
  for (char m : {'h', 'l'}) {
    if (i < f.size() && f[i] == m) {
      if (++i < f.size() && f[i] == m) ++i;
      break;
    }
  }
  if (i >= f.size()) return "the format ends in the middle of a conversion";
  char c = f[i++];
  // `%5%` prints a '%' in printf, as in glibc.
  std::string_view known = stars ? "diuxXocsp%" : "diuxXocsp";
  if (known.find(c) == std::string_view::npos)
    return "unknown conversion '" + std::string(f.substr(start, i - start)) + "' in the format";
  return "";
}

bool isStatistic(std::string_view name) {
  for (std::string_view s : {"avg", "count", "min", "max", "sum", "pct", "latest"})
    if (s == name) return true;
  return false;
}

// printa's `%NAME$` selector at f[i] (just after the '%'), if there is one:
// i moves past the '$'. "" or what is wrong.
std::string readSelector(std::string_view f, size_t& i, int nKeys, bool& found) {
  size_t end = i;
  while (end < f.size() && std::isalnum(static_cast<unsigned char>(f[end]))) ++end;
  found = end > i && end < f.size() && f[end] == '$';
  if (!found) return "";
  std::string_view name = f.substr(i, end - i);
  i = end + 1;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) {
    // The key number is the name's leading digits.
    uint64_t k = 0;
    for (size_t d = 0; d < name.size() && std::isdigit(static_cast<unsigned char>(name[d])); ++d)
      k = std::min<uint64_t>(k * 10 + static_cast<uint64_t>(name[d] - '0'), uint64_t{1} << 32);
    if (k >= static_cast<uint64_t>(nKeys)) return "no key " + std::string(name) + " in this aggregate";
    return "";
  }
  if (!isStatistic(name)) return "unknown field '" + std::string(name) + "'";
  return "";
}

}  // namespace

FormatInfo parsePrintfFormat(std::string_view f) {
  FormatInfo info;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    size_t start = i++;
    if (i < f.size() && f[i] == '%') continue;
    int stars = 0;
    std::string err = readConversion(f, i, start, &stars);
    if (!err.empty()) {
      info.ok = false;
      info.error = err;
      return info;
    }
    std::string conv(f.substr(start, i - start));
    for (int k = 0; k < stars; ++k) {
      info.wantsString.push_back(false);
      info.conversions.push_back("*' of '" + conv);
    }
    if (f[i - 1] != '%') {
      info.wantsString.push_back(f[i - 1] == 's');
      info.conversions.push_back(conv);
    }
    --i;  // the loop steps past the conversion character
  }
  return info;
}

std::string printaFormatError(std::string_view f, int nInt, int nStr) {
  // The columns plain conversions take: the keys, avg, count, min, max, pct.
  const size_t columns = static_cast<size_t>(nInt + nStr) + 5;
  size_t consumed = 0;
  for (size_t i = 0; i < f.size();) {
    if (f[i++] != '%') continue;
    // "%%", or "%5%": a '%', as the engine's printa prints it.
    size_t end = i;
    while (end < f.size() && std::string_view("-+ #0123456789.hl").find(f[end]) != std::string_view::npos) ++end;
    if (end < f.size() && f[end] == '%') {
      i = end + 1;
      continue;
    }
    size_t start = i - 1;
    bool selected = false;
    std::string err = readSelector(f, i, nInt + nStr, selected);
    if (!err.empty()) return err;
    if (!selected && consumed++ >= columns) return "more conversions than columns";
    if (i < f.size() && f[i] == '=') ++i;
    err = readConversion(f, i, start, nullptr);
    if (!err.empty()) return err;
  }
  return "";
}

}  // namespace emmett
