#include "vp/histogram_print.h"

#include <algorithm>
#include <bit>

namespace vp {
namespace {

constexpr size_t kLabelWidth = 16, kCountWidth = 8, kBarWidth = 52;

// A power of two as bpftrace labels it: 1, 2 ... 512, then 1K ... 512K,
// 1M ..., up to 8E (2^63, the end of the top bucket).
std::string pow2Label(uint64_t x) {
  static constexpr const char* kSuffix[] = {"", "K", "M", "G", "T", "P", "E"};
  int p = std::countr_zero(x);
  return std::to_string(uint64_t{1} << (p % 10)) + kSuffix[p / 10];
}

// A linear bound: a whole number of mebi- or kibi- units is written so
// (1K, -2M), anything else in full.
std::string linearLabel(int64_t x) {
  if (x != 0 && x % (int64_t{1} << 20) == 0) return std::to_string(x / (int64_t{1} << 20)) + "M";
  if (x != 0 && x % 1024 == 0) return std::to_string(x / 1024) + "K";
  return std::to_string(x);
}

std::string rangeLabel(const HistBucket& b, const HistShape& shape) {
  // hi + 1 is the exclusive end; it overflows only for an open bucket, and
  // for the top power-of-two bucket, whose end 2^63 is taken unsigned.
  uint64_t end = static_cast<uint64_t>(b.hi) + 1;
  if (shape.kind == HistKind::Pow2) {
    if (b.openBelow) return "(..., 0)";
    if (b.lo == b.hi) return "[" + std::to_string(b.lo) + "]";
    return "[" + pow2Label(static_cast<uint64_t>(b.lo)) + ", " + pow2Label(end) + ")";
  }
  if (b.openBelow) return "(..., " + linearLabel(static_cast<int64_t>(end)) + ")";
  if (b.openAbove) return "[" + linearLabel(b.lo) + ", ...)";
  return "[" + linearLabel(b.lo) + ", " + linearLabel(static_cast<int64_t>(end)) + ")";
}

std::string keysLabel(const std::vector<HistKey>& keys) {
  if (keys.empty()) return "";
  std::string out = "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ", ";
    if (const auto* n = std::get_if<uint64_t>(&keys[i])) out += std::to_string(*n);
    else out += "\"" + std::get<std::string>(keys[i]) + "\"";
  }
  return out + "]";
}

}  // namespace

HistBucket histBucketAt(int64_t lo, const HistShape& s) {
  lo = histBucket(lo, s);
  if (s.kind == HistKind::Pow2) {
    if (lo < 0) return {INT64_MIN, -1, true, false, 0};
    if (lo == 0) return {0, 0, false, false, 0};
    return {lo, static_cast<int64_t>(static_cast<uint64_t>(lo) * 2 - 1), false, false, 0};
  }
  if (lo < s.min) return {INT64_MIN, s.min - 1, true, false, 0};
  if (lo >= s.max) return {s.max, INT64_MAX, false, true, 0};
  return {lo, lo + (s.step - 1), false, false, 0};
}

std::string histBucketLine(const HistBucket& b, const HistShape& shape, uint64_t maxCount) {
  std::string label = rangeLabel(b, shape);
  std::string count = std::to_string(b.count);
  size_t bar = maxCount ? static_cast<size_t>(static_cast<unsigned __int128>(b.count) * kBarWidth / maxCount) : 0;
  std::string line = label;
  if (label.size() < kLabelWidth) line.append(kLabelWidth - label.size(), ' ');
  if (count.size() < kCountWidth) line.append(kCountWidth - count.size(), ' ');
  line += count + " |" + std::string(bar, '@') + std::string(kBarWidth - bar, ' ') + "|\n";
  return line;
}

std::string renderHistogramText(const HistogramPrint& h) {
  if (h.histograms.empty()) return h.name + ": (empty)\n";
  std::string out;
  for (const Histogram& one : h.histograms) {
    out += h.name + keysLabel(one.keys) + ":\n";
    uint64_t most = 0;
    for (const HistBucket& b : one.buckets) most = std::max(most, b.count);
    for (const HistBucket& b : one.buckets) out += histBucketLine(b, h.shape, most);
    out += "\n";
  }
  return out;
}

}  // namespace vp
