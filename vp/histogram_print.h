// A printed histogram aggregate as a value: what `logaggr` of a `defhist`
// aggregate shows, before it becomes text. The engine builds it from the
// aggregate's rows; renderHistogramText draws it as bpftrace does. An
// output format other than text (JSON) renders the same value.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "vp/histogram.h"

namespace vp {

// One bucket: the samples v with lo <= v <= hi (both inclusive, so every
// bucket of the signed 64-bit range has representable bounds: the top
// power-of-two bucket is [2^62, INT64_MAX]). openBelow: the bucket takes
// everything under hi (negatives; below a linear min), lo is INT64_MIN.
// openAbove: everything from lo up (a linear max), hi is INT64_MAX.
struct HistBucket {
  int64_t lo = 0, hi = 0;
  bool openBelow = false, openAbove = false;
  uint64_t count = 0;
  bool operator==(const HistBucket&) const = default;
};

// An aggregate key other than the bucket: an integer or a string.
using HistKey = std::variant<uint64_t, std::string>;

// The histogram of one combination of the other keys: its buckets from
// the lowest to the highest one holding a sample, empty ones between
// included.
struct Histogram {
  std::vector<HistKey> keys;  // integer keys, then string keys
  std::vector<HistBucket> buckets;
};

struct HistogramPrint {
  std::string name;
  HistShape shape;
  std::vector<Histogram> histograms;  // ordered by keys
};

// The bucket that holds the values from `lo` (a bucket's lower bound).
HistBucket histBucketAt(int64_t lo, const HistShape& shape);

// bpftrace's text: per histogram a `name[keys]:` line, then one line per
// bucket (the range, left-aligned in 16 columns; the count, right-aligned
// in 8; a bar of up to 52 '@' scaled to the histogram's largest count),
// then an empty line. An aggregate without samples prints `name: (empty)`.
std::string renderHistogramText(const HistogramPrint& h);

// The text of one bucket line, for callers that print line by line.
std::string histBucketLine(const HistBucket& b, const HistShape& shape, uint64_t maxCount);

}  // namespace vp
