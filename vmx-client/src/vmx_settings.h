// The table of `.vmx` settings this VM understands: how each is read,
// checked and stored in VmxConfig.
#pragma once

#include <vector>

#include "vmx-client/config_file.h"
#include "vmx-client/vmx_config.h"

namespace vmx {

// Applies every known setting found in `file` to `out` (which holds the
// defaults); appends an error naming the line for each bad value.
void applyVmxSettings(const ConfigFile& file, VmxConfig& out,
                      std::vector<ConfigError>& errors);

}  // namespace vmx
