// vprobe's two commands, each returning the exit status: 0 on success, 1
// after printing the error.
#pragma once

#include "tools/vprobe/options.h"

namespace vprobe {

// -l: the VM's probe points, one a line.
int listProbes(const Options& options);

// -l -T: the databases' functions, types and lines matching the pattern,
// as emmett-symdb -l lists them.
int listSymbols(const Options& options);

// Compile, load, stream the output until the run ends, unload, stream the
// rest (run.cpp).
int run(const Options& options);

// "vprobe: error: MESSAGE" on stderr; returns 1.
int fail(const std::string& message);

}  // namespace vprobe
