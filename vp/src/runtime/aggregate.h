// Aggregates: histograms keyed by integer and string keys. Each thread
// (context) updates its own shard, so a probe fire takes one uncontended
// lock; logaggr/printa merge the shards of all threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vp/histogram_print.h"
#include "vp/output_record.h"
#include "vp/src/runtime/spin_lock.h"

namespace vp {

struct AggrStats {
  uint64_t count = 0, min = 0, max = 0, latest = 0;
  uint64_t latestStamp = 0;  // orders "latest" across threads
  unsigned __int128 sum = 0;
  void add(uint64_t v, uint64_t stamp);
  void merge(const AggrStats& o);
  uint64_t avg() const { return count ? static_cast<uint64_t>(sum / count) : 0; }
};

// Key of a merged bucket; the ordering is the printing order.
struct AggrKey {
  std::vector<uint64_t> ints;
  std::vector<std::string> strs;
  auto operator<=>(const AggrKey&) const = default;
};

using AggrSnapshot = std::map<AggrKey, AggrStats>;

// One thread's buckets of one aggregate: open addressing over an index of
// bucket numbers; buckets stored column-wise.
class AggrTable {
 public:
  static constexpr uint32_t kMaxBuckets = 65536;

  AggrTable(uint32_t intKeys, uint32_t strKeys)
      : nInt_(intKeys), nStr_(strKeys) {}
  // `keys` holds the integer keys, then the string keys as pointers.
  // Returns false when the table is full and the key is new.
  bool add(const uint64_t* keys, uint64_t value, uint64_t stamp);
  void clear();
  void mergeInto(AggrSnapshot& out) const;
  size_t size() const { return stats_.size(); }

 private:
  uint64_t hash(const uint64_t* keys) const;
  bool matches(uint32_t bucket, const uint64_t* keys) const;
  void grow();

  uint32_t nInt_, nStr_;
  std::vector<uint32_t> index_;  // bucket + 1; 0 = empty; power of two
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> ints_;
  std::vector<std::string> strs_;
  std::vector<AggrStats> stats_;
};

// What logaggr (VP 1.0) and printa (VP 1.2) print, as a record
// (output_record.h): the first `maxRows` rows of `snap`, in key order.
AggregateRecord aggregateRecord(const std::string& name, uint32_t nInt, uint32_t nStr,
                                const AggrSnapshot& snap, size_t maxRows = SIZE_MAX);

// logaggr of a histogram (defhist): the rows as histograms, their last
// integer key the bucket (vp/histogram_print.h renders them).
HistogramPrint histogramOf(const std::string& name, uint32_t nInt, const HistShape& shape,
                           const AggrSnapshot& snap);
// The number of bucket lines `h` prints, and `h` cut to its first `n`.
size_t bucketCount(const HistogramPrint& h);
void keepBuckets(HistogramPrint& h, size_t n);

}  // namespace vp
