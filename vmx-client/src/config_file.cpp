#include "vmx-client/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vmx-client/src/text_util.h"
#include "vmx-client/unique_fd.h"
#include "vp/one_line.h"

namespace vmx {

std::string ConfigError::str() const {
  std::string where = file;
  if (line != 0) where += ":" + std::to_string(line);
  // A message quotes the file's own bytes, which may be anything.
  return where + ": error: " + vp::oneLine(message);
}

namespace {

bool isKeyChar(char c) {
  // What VMware keys use: `scsi0:0.fileName`, `.encoding`, `ethernet0.virtualDev`.
  return isAsciiAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes VMware's `|XX` escapes; a `|` not followed by two hex digits is
// kept as it is.
std::string decodeEscapes(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '|' && i + 2 < raw.size() && hexDigit(raw[i + 1]) >= 0 && hexDigit(raw[i + 2]) >= 0) {
      out += static_cast<char>(hexDigit(raw[i + 1]) * 16 + hexDigit(raw[i + 2]));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

// Parses the text after `=`. Returns false with `error` if malformed.
bool parseValue(std::string_view text, std::string& value, std::string& error) {
  text = trim(text);
  if (text.empty() || text[0] != '"') {
    size_t hash = text.find('#');
    value = std::string(trim(text.substr(0, hash)));
    return true;
  }
  size_t close = text.find('"', 1);
  if (close == std::string_view::npos) {
    error = "missing closing quote";
    return false;
  }
  std::string_view rest = trim(text.substr(close + 1));
  if (!rest.empty() && rest[0] != '#') {
    error = "unexpected text after the closing quote: '" + std::string(rest) + "'";
    return false;
  }
  value = decodeEscapes(text.substr(1, close - 1));
  return true;
}

// Parses one non-blank, non-comment line into `entry`.
bool parseLine(std::string_view line, ConfigEntry& entry, std::string& error) {
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    error = "expected 'key = \"value\"', found '" + std::string(line) + "'";
    return false;
  }
  std::string_view key = trim(line.substr(0, eq));
  if (key.empty()) {
    error = "missing key before '='";
    return false;
  }
  for (char c : key) {
    if (!isKeyChar(c)) {
      error = "invalid character '" + std::string(1, c) + "' in key '" +
              std::string(key) + "'";
      return false;
    }
  }
  entry.key = std::string(key);
  return parseValue(line.substr(eq + 1), entry.value, error);
}

}  // namespace

bool ConfigFile::parse(std::string_view text, const std::string& fileName,
                       ConfigFile& out, std::vector<ConfigError>& errors) {
  out.fileName_ = fileName;
  out.entries_.clear();
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  size_t before = errors.size();
  unsigned lineNo = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineNo;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    ConfigEntry entry;
    entry.line = lineNo;
    std::string error;
    if (parseLine(line, entry, error)) {
      out.entries_.push_back(std::move(entry));
    } else {
      errors.push_back({fileName, lineNo, error});
    }
  }
  return errors.size() == before;
}

const ConfigEntry* ConfigFile::find(std::string_view key) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (equalsIgnoreCase(it->key, key)) return &*it;
  }
  return nullptr;
}

ConfigError ConfigFile::errorAt(const ConfigEntry& entry,
                                std::string message) const {
  return {fileName_, entry.line, std::move(message)};
}

bool readTextFile(const std::string& path, std::string& out,
                  std::string& error) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    error = std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = std::strerror(EISDIR);
    return false;
  }
  out.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace vmx
