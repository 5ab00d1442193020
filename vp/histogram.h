// Histogram aggregates (VP 1.3 `defhist`): the buckets a sample falls in,
// as DTrace's quantize/lquantize and bpftrace's hist/lhist draw them.
// Samples are signed 64-bit here (a VP integer read as two's complement),
// so that a negative latency or delta lands in a bucket of its own rather
// than in the top one.
//
// A bucket is named by its lowest value (its "lower bound"): the engine
// stores each sample of a histogram under that bound, so an aggregate holds
// one row per bucket, not one per distinct value. Header-only and
// constexpr, so the Emmett compiler checks a linear shape with the same
// rules as the engine without linking it.
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <string_view>

namespace vp {

enum class HistKind : uint8_t {
  Pow2,    // (..., 0), [0], [1], [2, 4), [4, 8) ... [2^62, 2^63)
  Linear,  // (..., min), [min, min+step) ... [max-step, max), [max, ...)
};

struct HistShape {
  HistKind kind = HistKind::Pow2;
  int64_t min = 0, max = 0, step = 1;  // Linear only
  auto operator<=>(const HistShape&) const = default;
};

// A linear histogram draws at most this many buckets between min and max
// (bpftrace's limit): every printed histogram lists the empty buckets
// between its first and last sample, so the bound keeps it readable.
inline constexpr uint64_t kMaxLinearBuckets = 1000;

// The lower bound of the power-of-two bucket of `v`: 0 for 0, the highest
// power of two not above v for a positive v, INT64_MIN for every negative
// value (one bucket, "(..., 0)", as bpftrace prints it).
constexpr int64_t pow2Bucket(int64_t v) {
  if (v < 0) return INT64_MIN;
  return static_cast<int64_t>(std::bit_floor(static_cast<uint64_t>(v)));
}

// The lower bound of the linear bucket of `v`: INT64_MIN below min (the
// "(..., min)" bucket; when min is INT64_MIN nothing is below it), max at
// or above max, otherwise min plus a whole number of steps. The distance
// v - min is taken unsigned, so it is exact over the whole range.
constexpr int64_t linearBucket(int64_t v, const HistShape& s) {
  if (v < s.min) return INT64_MIN;
  if (v >= s.max) return s.max;
  uint64_t steps = (static_cast<uint64_t>(v) - static_cast<uint64_t>(s.min)) /
                   static_cast<uint64_t>(s.step);
  return static_cast<int64_t>(static_cast<uint64_t>(s.min) + steps * static_cast<uint64_t>(s.step));
}

constexpr int64_t histBucket(int64_t v, const HistShape& s) {
  return s.kind == HistKind::Pow2 ? pow2Bucket(v) : linearBucket(v, s);
}

// What is wrong with a linear shape, or "" when it is a valid one: min
// below max, a positive step that divides max - min, at most
// kMaxLinearBuckets buckets.
constexpr std::string_view linearShapeError(int64_t min, int64_t max, int64_t step) {
  if (step <= 0) return "the step must be positive";
  if (min >= max) return "the minimum must be below the maximum";
  uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
  if (span % static_cast<uint64_t>(step) != 0) return "max - min must be a multiple of the step";
  if (span / static_cast<uint64_t>(step) > kMaxLinearBuckets)
    return "more than 1000 buckets between the minimum and the maximum";
  return "";
}

namespace hist_detail {
static_assert(pow2Bucket(0) == 0 && pow2Bucket(1) == 1 && pow2Bucket(3) == 2);
static_assert(pow2Bucket(INT64_MAX) == int64_t{1} << 62 && pow2Bucket(-1) == INT64_MIN);
static_assert(linearBucket(INT64_MIN, {HistKind::Linear, INT64_MIN, 0, 1 << 20}) == INT64_MIN);
static_assert(linearShapeError(0, 100, 10).empty() && !linearShapeError(0, 100, 7).empty());
}  // namespace hist_detail

}  // namespace vp
