#include "vp/src/runtime/script_state.h"

#include "vp/src/builtins.h"

namespace vp {

ScriptState::ScriptState(const Program& p, const Options& o, Sink& s)
    : program(p), options(o), sink(s), bagStorage(o.bagBytes) {
  for (const auto& b : p.bags) bags.push_back(std::make_unique<Bag>(b.size, bagStorage));
  shared = std::make_unique<std::atomic<uint64_t>[]>(p.shareds.size() + 1);
  for (size_t i = 0; i < p.shareds.size(); ++i) shared[i] = p.shareds[i].init;
  strBase = 8 * p.ints.size();
  varBytes = strBase + kStrBytes * p.strs.size();
}

ShardSet* ScriptState::newShardSet() {
  auto set = std::make_unique<ShardSet>();
  for (const auto& a : program.aggrs) set->tables.emplace_back(a.intKeys, a.strKeys);
  std::lock_guard<std::mutex> g(shardsMu_);
  shardSets_.push_back(std::move(set));
  return shardSets_.back().get();
}

AggrSnapshot ScriptState::snapshot(uint32_t aggr) {
  AggrSnapshot out;
  std::lock_guard<std::mutex> g(shardsMu_);
  for (auto& set : shardSets_) {
    std::lock_guard<SpinLock> s(set->lock);
    set->tables[aggr].mergeInto(out);
  }
  return out;
}

void ScriptState::clear(uint32_t aggr) {
  std::lock_guard<std::mutex> g(shardsMu_);
  for (auto& set : shardSets_) {
    std::lock_guard<SpinLock> s(set->lock);
    set->tables[aggr].clear();
  }
}

}  // namespace vp
