#include "vmx-engine/host_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vmx-engine/src/config_values.h"

namespace vmx {

std::string hostConfigPath() {
  const char* env = std::getenv("VPROBE_HOST_CONFIG");
  if (env != nullptr && *env != '\0') return env;
  return "/etc/vprobes/config";
}

bool parseHostConfig(std::string_view text, const std::string& path,
                     HostConfig& out, std::vector<ConfigError>& errors) {
  out = HostConfig{};
  out.path = path;
  out.exists = true;
  size_t before = errors.size();
  ConfigFile file;
  ConfigFile::parse(text, path, file, errors);
  if (const ConfigEntry* allow = file.find("vprobe.allow")) {
    if (!parseBoolValue(allow->value, out.vprobeAllow)) {
      errors.push_back(file.errorAt(
          *allow, allow->key + ": expected TRUE or FALSE, got \"" +
                      allow->value + "\""));
    }
  }
  if (errors.size() != before) out.vprobeAllow = false;
  return errors.size() == before;
}

bool loadHostConfig(const std::string& path, HostConfig& out,
                    std::vector<ConfigError>& errors) {
  out = HostConfig{};
  out.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return true;  // no host configuration: nothing is allowed
  }
  std::string text, error;
  if (!readTextFile(path, text, error)) {
    errors.push_back({path, 0, "cannot read the host configuration: " + error});
    return false;
  }
  return parseHostConfig(text, path, out, errors);
}

}  // namespace vmx
