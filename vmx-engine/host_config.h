// The host configuration: site-wide settings an administrator controls,
// in the same format as a .vmx (config_file.h). The settings read are
//   vprobe.allow = TRUE
// without which no VP script loads into any VM (chapter 1 of the
// reference), and
//   vprobe.allowFaultInjection = TRUE
// without which no VM may run the destructive built-ins (VP 1.3), whatever
// its own vprobe.faultInjection says. The file is the one named by the environment variable
// VPROBE_HOST_CONFIG if it is set and not empty, else /etc/vprobes/config.
// A missing file means nothing is allowed; an unreadable or malformed one
// is an error, so that a typo never silently changes what is allowed.
#pragma once

#include <string>
#include <vector>

#include "vmx-client/config_file.h"

namespace vmx {

struct HostConfig {
  std::string path;  // the file read (or looked for)
  bool exists = false;
  bool vprobeAllow = false;
  bool allowFaultInjection = false;
};

// VPROBE_HOST_CONFIG, or /etc/vprobes/config.
std::string hostConfigPath();

// Reads `path`; false with errors naming the file (and line) when it is
// unreadable or malformed.
bool loadHostConfig(const std::string& path, HostConfig& out,
                    std::vector<ConfigError>& errors);

// The same, from text.
bool parseHostConfig(std::string_view text, const std::string& path,
                     HostConfig& out, std::vector<ConfigError>& errors);

}  // namespace vmx
