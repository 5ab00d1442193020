// Generates random, well-typed VP programs (with the events to run them)
// for the differential test of the JIT against the interpreter. Programs
// use every kind of expression, including ones that fail at run time
// (division by zero, unmapped memory, deep recursion, endless loops), so
// error paths are compared too.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace vptest {

struct RandomProgram {
  std::string source;
  std::vector<std::string> events;  // vp run syntax, e.g. "Guest_IRQ:0x20"
};

RandomProgram randomProgram(uint64_t seed, bool useV11);

// Memory the programs may read: a mapped window at kMappedBase.
inline constexpr uint64_t kMappedBase = 0x1000;
inline constexpr uint64_t kMappedSize = 64;

}  // namespace vptest
