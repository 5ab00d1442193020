#include "vmx-engine/host_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vmx-client/config_values.h"

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
  auto flag = [&](const char* key, bool& value) {
    const ConfigEntry* e = file.find(key);
    if (e && !parseBoolValue(e->value, value)) {
      errors.push_back(file.errorAt(
          *e, e->key + ": expected TRUE or FALSE, got \"" + e->value + "\""));
    }
  };
  flag("vprobe.allow", out.vprobeAllow);
  flag("vprobe.allowFaultInjection", out.allowFaultInjection);
  if (errors.size() != before) out.vprobeAllow = out.allowFaultInjection = false;
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
