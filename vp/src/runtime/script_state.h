// What a loaded script shares between all the threads that fire it:
// aggregate shards, bags, shared integers, the output sink.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "vp/src/ast.h"
#include "vp/src/runtime/aggregate.h"
#include "vp/src/runtime/bag.h"
#include "vp/src/runtime/spin_lock.h"
#include "vp/vp.h"

namespace vp {

// One thread's aggregate shards, one table per aggregate of the script.
// On cache lines of its own: every update writes the lock, and the sets of
// all threads are allocated one after the other when the script loads, so
// without the alignment two vCPUs' updates would bounce one line between
// their cores (bench/vp_contention.cpp).
struct alignas(64) ShardSet {
  SpinLock lock;
  std::vector<AggrTable> tables;
};

class ScriptState {
 public:
  ScriptState(const Program& program, const Options& options, Sink& sink);

  const Program& program;
  const Options options;
  Sink& sink;
  BagStorage bagStorage;
  std::vector<std::unique_ptr<Bag>> bags;
  std::unique_ptr<std::atomic<uint64_t>[]> shared;
  size_t varBytes = 0;  // per-context variables after the RtCtx
  size_t strBase = 0;   // offset of the first string variable in them

  // Shard sets outlive the contexts that fill them: aggregates are global.
  ShardSet* newShardSet();
  AggrSnapshot snapshot(uint32_t aggr);
  void clear(uint32_t aggr);

 private:
  std::mutex shardsMu_;
  std::vector<std::unique_ptr<ShardSet>> shardSets_;
};

}  // namespace vp
