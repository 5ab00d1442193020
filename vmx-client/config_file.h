// VMware's configuration file format, shared by `.vmx` files and the host
// configuration (/etc/vprobes/config):
//
//     # comment
//     key = "value"
//     memsize = 64          (quotes are optional)
//
// Keys are case-insensitive, as VMware treats them; a later line with the
// same key wins. Inside quotes, `|XX` (two hex digits) stands for the byte
// 0xXX, which is how VMware writes quotes and other special characters
// (`|22` is `"`). Outside quotes, `#` starts a comment. Unknown keys are
// kept; what they mean is up to the reader of the file (VmxConfig,
// HostConfig).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmx {

// One user error in a configuration file, printed as
// "FILE:LINE: error: MESSAGE" (or "FILE: error: MESSAGE" when line is 0).
struct ConfigError {
  std::string file;  // as the user named it
  unsigned line = 0;
  std::string message;
  std::string str() const;
};

struct ConfigEntry {
  std::string key;  // as written
  std::string value;
  unsigned line = 0;
};

class ConfigFile {
 public:
  // Parses `text`; `fileName` is used in error messages. Every malformed
  // line produces an error; parsing goes on so the user sees them all.
  // Returns false when there was at least one error.
  static bool parse(std::string_view text, const std::string& fileName,
                    ConfigFile& out, std::vector<ConfigError>& errors);

  // The entry for `key` (any case), the last one if repeated; null if absent.
  const ConfigEntry* find(std::string_view key) const;
  const std::vector<ConfigEntry>& entries() const { return entries_; }
  const std::string& fileName() const { return fileName_; }

  // An error about `entry`, naming its line.
  ConfigError errorAt(const ConfigEntry& entry, std::string message) const;

 private:
  std::string fileName_;
  std::vector<ConfigEntry> entries_;
};

// Reads a whole file; false with `error` (strerror text) if it cannot.
bool readTextFile(const std::string& path, std::string& out,
                  std::string& error);

}  // namespace vmx
