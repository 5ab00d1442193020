// The VP that vprobe loads: compiled from Emmett, or, with -i, VP as the
// user gave it.
#pragma once

#include <optional>
#include <string>

#include "emmett2vp/vp_error_mapper.h"
#include "tools/vprobe/options.h"
#include "vp/version.h"

namespace vprobe {

struct PreparedScript {
  std::string vp;
  std::string name;  // what the engine's messages call it
  // Emmett: takes the engine's messages about the generated VP back to the
  // Emmett source. Unset for VP input (the positions are the user's own).
  std::optional<emmett::VpErrorMapper> mapper;
  // Emmett: the VP version the script needs (the lowest that works).
  vp::Version version = vp::kOldestVersion;
};

// False after printing the errors to stderr (emmett's diagnostics,
// "FILE:LINE:COL: error: ...", or an unreadable file). Warnings are
// printed too. `target` is the newest VP the engine accepts: a script
// needing more is an error at the line that needs it. Aggregates the
// script never prints get printed when it is unloaded
// (vp/aggregate_printing.h).
bool prepareScript(const Options& options, vp::Version target, PreparedScript& out);

}  // namespace vprobe
