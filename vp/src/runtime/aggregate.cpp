#include "vp/src/runtime/aggregate.h"

#include <cstring>

namespace vp {

void AggrStats::add(uint64_t v, uint64_t stamp) {
  if (count == 0 || v < min) min = v;
  if (count == 0 || v > max) max = v;
  ++count;
  sum += v;
  latest = v;
  latestStamp = stamp;
}

void AggrStats::merge(const AggrStats& o) {
  if (o.count == 0) return;
  if (count == 0 || o.min < min) min = o.min;
  if (count == 0 || o.max > max) max = o.max;
  if (count == 0 || o.latestStamp >= latestStamp) {
    latest = o.latest;
    latestStamp = o.latestStamp;
  }
  count += o.count;
  sum += o.sum;
}

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

uint64_t hashString(const char* s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 1099511628211ULL;
  return h;
}

const char* strKey(const uint64_t* keys, uint32_t i) {
  return reinterpret_cast<const char*>(keys[i]);
}

}  // namespace

uint64_t AggrTable::hash(const uint64_t* keys) const {
  uint64_t h = 0;
  for (uint32_t i = 0; i < nInt_; ++i) h = mix(h, keys[i]);
  for (uint32_t i = 0; i < nStr_; ++i) h = mix(h, hashString(strKey(keys, nInt_ + i)));
  return h;
}

bool AggrTable::matches(uint32_t b, const uint64_t* keys) const {
  if (nInt_ && std::memcmp(&ints_[size_t{b} * nInt_], keys, 8 * nInt_) != 0) {
    return false;
  }
  for (uint32_t i = 0; i < nStr_; ++i) {
    if (strs_[size_t{b} * nStr_ + i] != strKey(keys, nInt_ + i)) return false;
  }
  return true;
}

void AggrTable::grow() {
  std::vector<uint32_t> bigger(index_.empty() ? 16 : index_.size() * 2, 0);
  size_t mask = bigger.size() - 1;
  for (uint32_t b = 0; b < stats_.size(); ++b) {
    size_t i = hashes_[b] & mask;
    while (bigger[i]) i = (i + 1) & mask;
    bigger[i] = b + 1;
  }
  index_.swap(bigger);
}

bool AggrTable::add(const uint64_t* keys, uint64_t value, uint64_t stamp) {
  if (index_.empty()) grow();
  uint64_t h = hash(keys);
  size_t mask = index_.size() - 1;
  size_t i = h & mask;
  for (; index_[i]; i = (i + 1) & mask) {
    uint32_t b = index_[i] - 1;
    if (hashes_[b] == h && matches(b, keys)) {
      stats_[b].add(value, stamp);
      return true;
    }
  }
  if (stats_.size() >= kMaxBuckets) return false;
  uint32_t b = static_cast<uint32_t>(stats_.size());
  hashes_.push_back(h);
  ints_.insert(ints_.end(), keys, keys + nInt_);
  for (uint32_t k = 0; k < nStr_; ++k) strs_.emplace_back(strKey(keys, nInt_ + k));
  stats_.emplace_back().add(value, stamp);
  index_[i] = b + 1;
  if (stats_.size() * 2 > index_.size()) grow();
  return true;
}

void AggrTable::clear() {
  index_.clear();
  hashes_.clear();
  ints_.clear();
  strs_.clear();
  stats_.clear();
}

void AggrTable::mergeInto(AggrSnapshot& out) const {
  for (size_t b = 0; b < stats_.size(); ++b) {
    AggrKey key;
    key.ints.assign(ints_.begin() + b * nInt_, ints_.begin() + (b + 1) * nInt_);
    key.strs.assign(strs_.begin() + b * nStr_, strs_.begin() + (b + 1) * nStr_);
    out[std::move(key)].merge(stats_[b]);
  }
}

AggregateRecord aggregateRecord(const std::string& name, uint32_t nInt, uint32_t nStr,
                                const AggrSnapshot& snap, size_t maxRows) {
  AggregateRecord a{name, nInt, nStr, {}, maxRows < snap.size()};
  for (const auto& [key, st] : snap) {
    if (maxRows-- == 0) break;
    a.rows.push_back({key.ints, key.strs, st.count, st.min, st.max, st.avg(), st.latest});
  }
  return a;
}

}  // namespace vp
