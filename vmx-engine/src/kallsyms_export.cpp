#include "vmx-engine/kallsyms_export.h"

#include <zlib.h>

#include <charconv>

#include "vp/guest_symbols.h"

namespace vmx {
namespace {

constexpr std::string_view kGzip = "gzip ";

// The line starting at `pos`, without its '\n' and trailing '\r's; `whole`
// false when no '\n' ends it yet.
std::string_view lineAt(std::string_view text, size_t pos, size_t& next, bool& whole) {
  size_t nl = text.find('\n', pos);
  whole = nl != std::string_view::npos;
  next = whole ? nl + 1 : text.size();
  std::string_view line = text.substr(pos, (whole ? nl : text.size()) - pos);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool parseCount(std::string_view s, size_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Where the last begin marker line starts (npos: none). Markers are only
// looked for at line starts; a gzip stream may hold one by chance, but an
// export's own begin is always the last one before its data.
size_t lastBegin(std::string_view log) {
  size_t found = std::string_view::npos;
  for (size_t pos = 0; (pos = log.find(kKallsymsBegin, pos)) != std::string_view::npos; ++pos) {
    if (pos == 0 || log[pos - 1] == '\n') found = pos;
  }
  return found;
}

bool gunzip(std::string_view in, std::string& out, const std::string& source,
            std::string& error) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    error = source + ": cannot start zlib";
    return false;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > kMaxKallsymsBytes) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    error = source + (out.size() > kMaxKallsymsBytes
                          ? ": the symbols would be more than 64 MiB uncompressed"
                          : ": the gzip data of the symbol export is corrupt");
    return false;
  }
  return true;
}

// The end marker's line at `pos`: Incomplete until it is whole.
KallsymsStatus checkEnd(std::string_view log, size_t pos, const std::string& source,
                        std::string& error, size_t& want) {
  size_t next;
  bool whole;
  std::string_view line = lineAt(log, pos, next, whole);
  if (!whole) return KallsymsStatus::Incomplete;
  if (!line.starts_with(kKallsymsEnd) ||
      !parseCount(line.substr(std::min(line.size(), kKallsymsEnd.size() + 1)), want)) {
    error = source + ": malformed end marker '" + std::string(line.substr(0, 80)) + "'";
    return KallsymsStatus::Bad;
  }
  return KallsymsStatus::Complete;
}

KallsymsStatus checkSymbols(const std::string& text, size_t want, const std::string& source,
                            std::string& error) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
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
  return vp::GuestSymbols::parse(text, source, symbols, error) ? KallsymsStatus::Complete
                                                               : KallsymsStatus::Bad;
}

KallsymsStatus extractText(std::string_view log, size_t pos, const std::string& source,
                           std::string& out, std::string& error) {
  for (size_t next; pos < log.size(); pos = next) {
    bool whole;
    std::string_view line = lineAt(log, pos, next, whole);
    if (line.starts_with(kKallsymsEnd)) {
      size_t want = 0;
      KallsymsStatus s = checkEnd(log, pos, source, error, want);
      return s == KallsymsStatus::Complete ? checkSymbols(out, want, source, error) : s;
    }
    if (!whole) break;
    out.append(line);
    out.push_back('\n');
  }
  return KallsymsStatus::Incomplete;
}

KallsymsStatus extractGzip(std::string_view log, size_t pos, std::string_view count,
                           const std::string& source, std::string& out, std::string& error) {
  size_t bytes = 0;
  if (!parseCount(count, bytes) || bytes > kMaxKallsymsBytes) {
    error = source + ": malformed begin marker (gzip size '" + std::string(count.substr(0, 20)) + "')";
    return KallsymsStatus::Bad;
  }
  // BYTES of data, then the '\n' before the end marker.
  if (log.size() - pos < bytes + 1) return KallsymsStatus::Incomplete;
  size_t want = 0;
  KallsymsStatus s = checkEnd(log, pos + bytes + 1, source, error, want);
  if (s == KallsymsStatus::Complete && log[pos + bytes] != '\n') {
    error = source + ": no end marker after the " + std::to_string(bytes) + " bytes of gzip data";
    return KallsymsStatus::Bad;
  }
  if (s != KallsymsStatus::Complete) return s;
  if (!gunzip(log.substr(pos, bytes), out, source, error)) return KallsymsStatus::Bad;
  return checkSymbols(out, want, source, error);
}

}  // namespace

KallsymsStatus extractKallsyms(std::string_view log, const std::string& source,
                               std::string& out, std::string& error) {
  out.clear();
  size_t begin = lastBegin(log);
  if (begin == std::string_view::npos) return KallsymsStatus::Incomplete;
  size_t next;
  bool whole;
  std::string_view line = lineAt(log, begin, next, whole);
  if (!whole) return KallsymsStatus::Incomplete;
  std::string_view rest = line.substr(kKallsymsBegin.size());
  KallsymsStatus s;
  if (rest.empty()) {
    s = extractText(log, next, source, out, error);
  } else if (rest.starts_with(" ") && rest.substr(1).starts_with(kGzip)) {
    s = extractGzip(log, next, rest.substr(1 + kGzip.size()), source, out, error);
  } else {
    error = source + ": malformed begin marker '" + std::string(line.substr(0, 80)) + "'";
    s = KallsymsStatus::Bad;
  }
  if (s != KallsymsStatus::Complete) out.clear();
  return s;
}

}  // namespace vmx
