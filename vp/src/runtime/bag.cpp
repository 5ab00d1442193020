#include "vp/src/runtime/bag.h"

#include <mutex>

namespace vp {

namespace {

size_t slotOf(uint64_t key, size_t mask) {
  return (key * 0x9e3779b97f4a7c15ULL >> 17) & mask;
}

}  // namespace

Bag::~Bag() {
  for (uint64_t i = 0; i < count_; ++i) storage_.give();
}

void Bag::rehash(size_t slots) {
  std::vector<uint64_t> keys(slots), values(slots);
  std::vector<uint8_t> state(slots, Empty);
  size_t mask = slots - 1;
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i] != Full) continue;
    size_t j = slotOf(keys_[i], mask);
    while (state[j] == Full) j = (j + 1) & mask;
    keys[j] = keys_[i];
    values[j] = values_[i];
    state[j] = Full;
  }
  keys_.swap(keys);
  values_.swap(values);
  state_.swap(state);
  removed_ = 0;
}

bool Bag::insert(uint64_t key, uint64_t value) {
  std::lock_guard<SpinLock> g(lock_);
  if (count_ >= size_ || !storage_.take()) return false;
  if ((count_ + removed_ + 1) * 2 > state_.size()) {
    size_t slots = 16;
    while (slots < (count_ + 1) * 4) slots *= 2;
    rehash(slots);
  }
  size_t mask = state_.size() - 1;
  // Append at the end of the probe chain, so removal usually finds the
  // oldest pair of a key first.
  size_t i = slotOf(key, mask);
  while (state_[i] != Empty) i = (i + 1) & mask;
  keys_[i] = key;
  values_[i] = value;
  state_[i] = Full;
  ++count_;
  return true;
}

bool Bag::remove(uint64_t key, uint64_t& value) {
  std::lock_guard<SpinLock> g(lock_);
  if (count_ == 0) return false;
  size_t mask = state_.size() - 1;
  for (size_t i = slotOf(key, mask); state_[i] != Empty; i = (i + 1) & mask) {
    if (state_[i] == Full && keys_[i] == key) {
      value = values_[i];
      state_[i] = Removed;
      --count_;
      ++removed_;
      storage_.give();
      return true;
    }
  }
  return false;
}

std::vector<std::pair<uint64_t, uint64_t>> Bag::snapshot() {
  std::lock_guard<SpinLock> g(lock_);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  out.reserve(count_);
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i] == Full) out.emplace_back(keys_[i], values_[i]);
  }
  return out;
}

}  // namespace vp
