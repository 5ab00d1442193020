#include "vmx-engine/kallsyms_export.h"

#include <charconv>
#include <vector>

#include "vp/guest_symbols.h"

namespace vmx {
namespace {

// The line starting at `pos`, without its '\n' and trailing '\r's.
std::string_view lineAt(std::string_view text, size_t pos, size_t& next) {
  size_t nl = text.find('\n', pos);
  next = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string_view line = text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Where the last line that is exactly `marker` starts; npos if none.
size_t lastBegin(std::string_view log) {
  size_t found = std::string_view::npos;
  for (size_t pos = 0, next; pos < log.size(); pos = next) {
    if (lineAt(log, pos, next) == kKallsymsBegin) found = next;
  }
  return found;
}

}  // namespace

KallsymsStatus extractKallsyms(std::string_view log, const std::string& source,
                               std::string& out, std::string& error) {
  size_t start = lastBegin(log);
  if (start == std::string_view::npos) return KallsymsStatus::Incomplete;
  out.clear();
  size_t lines = 0;
  for (size_t pos = start, next; pos < log.size(); pos = next) {
    std::string_view line = lineAt(log, pos, next);
    if (next == log.size() && log.back() != '\n') break;  // still arriving
    if (line.starts_with(kKallsymsEnd)) {
      std::string_view n = line.substr(kKallsymsEnd.size());
      while (!n.empty() && n.front() == ' ') n.remove_prefix(1);
      size_t want = 0;
      auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), want);
      if (ec != std::errc() || p != n.data() + n.size()) {
        error = source + ": malformed end marker '" + std::string(line) + "'";
        return KallsymsStatus::Bad;
      }
      if (want != lines) {
        error = source + ": the guest sent " + std::to_string(want) + " symbol lines but " +
                std::to_string(lines) + " arrived";
        return KallsymsStatus::Bad;
      }
      if (lines == 0) {
        error = source + ": the guest sent no symbols (is /proc/kallsyms empty?)";
        return KallsymsStatus::Bad;
      }
      vp::GuestSymbols symbols;
      if (!vp::GuestSymbols::parse(out, source, symbols, error)) return KallsymsStatus::Bad;
      return KallsymsStatus::Complete;
    }
    out.append(line);
    out.push_back('\n');
    ++lines;
  }
  out.clear();
  return KallsymsStatus::Incomplete;
}

}  // namespace vmx
