// A histogram aggregate's rows as the value renderHistogramText draws:
// rows grouped by their keys other than the bucket, the empty buckets
// between the first and the last sample filled in.
#include <map>

#include "vp/src/runtime/aggregate.h"

namespace vp {
namespace {

using OtherKeys = std::pair<std::vector<uint64_t>, std::vector<std::string>>;

std::vector<HistKey> keysOf(const OtherKeys& k) {
  std::vector<HistKey> out(k.first.begin(), k.first.end());
  out.insert(out.end(), k.second.begin(), k.second.end());
  return out;
}

// The buckets from the lowest lower bound in `counts` to the highest.
std::vector<HistBucket> filled(const std::map<int64_t, uint64_t>& counts, const HistShape& shape) {
  std::vector<HistBucket> out;
  int64_t last = counts.rbegin()->first;
  for (int64_t lo = counts.begin()->first;;) {
    HistBucket b = histBucketAt(lo, shape);
    auto it = counts.find(b.lo);
    b.count = it == counts.end() ? 0 : it->second;
    out.push_back(b);
    if (b.lo >= last) break;
    lo = b.hi + 1;  // b is below the last bucket, so b.hi < INT64_MAX
  }
  return out;
}

}  // namespace

HistogramPrint histogramOf(const std::string& name, uint32_t nInt, const HistShape& shape,
                           const AggrSnapshot& snap) {
  // Keys stored by a script through `aggr` are bucket bounds already; a
  // key is put in its bucket again all the same, so rows merge rightly
  // whatever wrote them.
  std::map<OtherKeys, std::map<int64_t, uint64_t>> groups;
  for (const auto& [key, stats] : snap) {
    if (nInt == 0 || key.ints.size() != nInt) continue;
    OtherKeys other{{key.ints.begin(), key.ints.end() - 1}, key.strs};
    int64_t lo = histBucketAt(static_cast<int64_t>(key.ints.back()), shape).lo;
    groups[other][lo] += stats.count;
  }
  HistogramPrint out{name, shape, {}};
  for (const auto& [other, counts] : groups) out.histograms.push_back({keysOf(other), filled(counts, shape)});
  return out;
}

void keepBuckets(HistogramPrint& h, size_t n) {
  std::vector<Histogram> kept;
  for (Histogram& one : h.histograms) {
    if (n == 0) break;
    if (one.buckets.size() > n) one.buckets.resize(n);
    n -= one.buckets.size();
    kept.push_back(std::move(one));
  }
  h.histograms = std::move(kept);
}

size_t bucketCount(const HistogramPrint& h) {
  size_t n = 0;
  for (const Histogram& one : h.histograms) n += one.buckets.size();
  return n;
}

}  // namespace vp
