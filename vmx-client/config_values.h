// Typed readings of configuration values, shared by VmxConfig and
// HostConfig so both files accept the same spellings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vmx {

// TRUE/FALSE, YES/NO, 1/0, in any case, as VMware accepts them.
bool parseBoolValue(std::string_view text, bool& out);

// A decimal number within [min, max]; no sign, suffix or overflow.
bool parseUnsignedValue(std::string_view text, uint64_t min, uint64_t max,
                        uint64_t& out);

// `value` as an absolute path: relative paths are taken from `dir` (the
// folder of the configuration file), as VMware resolves `.vmx` paths.
std::string resolvePath(const std::string& dir, std::string_view value);

}  // namespace vmx
