// Reading a fuzz input as little-endian fields. Bytes past the end read
// as zero, so every input, however short, is a valid one: the fuzzer
// never wastes runs on inputs a target would reject for their length.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fuzz {

struct InputBytes {
  const uint8_t* p;
  size_t n;
  // The next `bytes` (at most 8) bytes as a little-endian integer.
  uint64_t take(size_t bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes && i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    size_t used = bytes < n ? bytes : n;
    p += used;
    n -= used;
    return v;
  }
};

}  // namespace fuzz
