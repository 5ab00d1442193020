#include "vmm-engine/return_pairing.h"

namespace vmm {

void ReturnPairing::eraseLocked(std::map<Key, std::vector<Pending>>::iterator it, size_t i) {
  order_.erase(it->second[i].seq);
  it->second.erase(it->second.begin() + ptrdiff_t(i));
  if (it->second.empty()) calls_.erase(it);
  count_.fetch_sub(1, std::memory_order_relaxed);
}

void ReturnPairing::evictOldestLocked() {
  auto oldest = order_.begin();
  auto it = calls_.find(oldest->second);
  for (size_t i = 0; i < it->second.size(); ++i)
    if (it->second[i].seq == oldest->first) return eraseLocked(it, i);
}

void ReturnPairing::enter(const Call& c) {
  if (capacity_ == 0) return;
  std::lock_guard l(mu_);
  Key key{c.space, c.slot};
  if (auto it = calls_.find(key); it != calls_.end())
    for (size_t i = 0; i < it->second.size(); ++i)
      if (it->second[i].call.probe == c.probe) {
        eraseLocked(it, i);
        break;
      }
  if (count_.load(std::memory_order_relaxed) >= capacity_) {
    evictOldestLocked();
    evicted_.fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t seq = nextSeq_++;
  calls_[key].push_back({c, seq});
  order_.emplace(seq, key);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<ReturnPairing::Call> ReturnPairing::leave(uint64_t space, uint64_t at, uint64_t rsp) {
  std::vector<Call> out;
  if (empty() || rsp < 8) return out;
  std::lock_guard l(mu_);
  auto it = calls_.find({space, rsp - 8});
  if (it == calls_.end()) return out;
  for (size_t i = 0; i < it->second.size();) {
    if (it->second[i].call.returnTo != at) {
      ++i;
      continue;
    }
    out.push_back(it->second[i].call);
    bool last = it->second.size() == 1;
    eraseLocked(it, i);
    if (last) break;  // the entry of the map went with it
  }
  return out;
}

size_t ReturnPairing::sweep(uint64_t space, uint64_t rsp, uint64_t window, size_t limit,
                            const std::function<bool(const Call&)>& gone) {
  if (empty()) return 0;
  std::lock_guard l(mu_);
  uint64_t low = rsp > window ? rsp - window : 0;
  size_t dropped = 0, looked = 0;
  auto it = calls_.lower_bound({space, rsp});
  while (it != calls_.begin() && looked < limit) {
    auto prev = std::prev(it);
    if (prev->first.first != space || prev->first.second < low) break;
    ++looked;
    bool erased = false;
    for (size_t i = prev->second.size(); i-- > 0;) {
      if (!gone(prev->second[i].call)) continue;
      bool last = prev->second.size() == 1;
      eraseLocked(prev, i);
      ++dropped;
      if (last) {
        erased = true;
        break;
      }
    }
    if (!erased) it = prev;
  }
  swept_.fetch_add(dropped, std::memory_order_relaxed);
  return dropped;
}

void ReturnPairing::clear() {
  std::lock_guard l(mu_);
  calls_.clear();
  order_.clear();
  count_.store(0, std::memory_order_relaxed);
}

}  // namespace vmm
