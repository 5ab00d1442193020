// Aggregate and bag built-ins.
#include <algorithm>
#include <mutex>
#include <x86intrin.h>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

RtResult aggr(RtCtx* c, const Expr* e, const uint64_t* keys) {
  VP_CHARGE(c, e, BuiltinId::Aggr);
  ContextImpl& ctx = *c->owner;
  const AggrDef& def = ctx.script().program.aggrs[e->index];
  uint64_t value = keys[def.intKeys + def.strKeys];
  uint64_t bucketed[16];  // at most 8 integer and 8 string keys (the checker)
  if (def.hist) {
    // A histogram keeps one row per bucket: the sample's key becomes its
    // bucket's lower bound.
    std::copy(keys, keys + def.intKeys + def.strKeys, bucketed);
    int64_t sample = static_cast<int64_t>(keys[def.intKeys - 1]);
    bucketed[def.intKeys - 1] = static_cast<uint64_t>(histBucket(sample, *def.hist));
    keys = bucketed;
  }
  ShardSet& shards = ctx.shards();
  // The TSC at the fire's first update orders "latest" between threads'
  // shards when they merge (samples of concurrent fires race anyway); read
  // once per fire because the TSC costs as much as the rest of an update.
  if (!c->fireStamp) c->fireStamp = __rdtsc();
  bool added;
  {
    std::lock_guard<SpinLock> g(shards.lock);
    added = shards.tables[e->index].add(keys, value, c->fireStamp);
  }
  if (!added) return fail(c, ErrorCode::AggrFull, e);
  return {1, 0};
}

namespace {

// logaggr of a defhist aggregate: its bar charts, a bucket line a row.
RtResult logHistogram(RtCtx* c, const Expr* e, const AggrDef& def, const AggrSnapshot& snap) {
  HistogramPrint h = histogramOf(def.name, def.intKeys, *def.hist, snap);
  size_t all = bucketCount(h);
  size_t rows = rowsAffordable(c, all);
  if (rows < all) keepBuckets(h, rows);
  ContextImpl& ctx = *c->owner;
  if (ctx.json()) {
    ctx.addRecord(histogramJson(ctx.origin(ctx.target().tsc()), h, rows < all));
  } else {
    ctx.out() += renderHistogramText(h);
  }
  if (rows < all) return fail(c, ErrorCode::Budget, e);
  return {1, 0};
}

}  // namespace

RtResult logaggr(RtCtx* c, const Expr* e) {
  VP_CHARGE(c, e, BuiltinId::Logaggr);
  ContextImpl& ctx = *c->owner;
  const AggrDef& def = ctx.script().program.aggrs[e->index];
  AggrSnapshot snap = ctx.script().snapshot(e->index);
  if (def.hist) return logHistogram(c, e, def, snap);
  size_t rows = rowsAffordable(c, snap.size());
  AggregateRecord record = aggregateRecord(def.name, def.intKeys, def.strKeys, snap, rows);
  if (ctx.json()) {
    ctx.addRecord(aggregateJson(ctx.origin(ctx.target().tsc()), record));
  } else {
    ctx.out() += aggregateText(record);
  }
  if (rows < snap.size()) return fail(c, ErrorCode::Budget, e);
  return {1, 0};
}

RtResult clearaggr(RtCtx* c, const Expr* e) {
  VP_CHARGE(c, e, BuiltinId::Clearaggr);
  c->owner->script().clear(e->index);
  return {1, 0};
}

RtResult baginsert(RtCtx* c, const Expr* e, uint64_t key, uint64_t value) {
  VP_CHARGE(c, e, BuiltinId::Baginsert);
  return {c->owner->script().bags[e->index]->insert(key, value) ? 1u : 0u, 0};
}

RtResult bagput(RtCtx* c, const Expr* e, uint64_t key, uint64_t value) {
  VP_CHARGE(c, e, BuiltinId::Bagput);
  if (!c->owner->script().bags[e->index]->insert(key, value)) return fail(c, ErrorCode::BagFull, e, key);
  return {1, 0};
}

RtResult bagremove(RtCtx* c, const Expr* e, uint64_t key) {
  VP_CHARGE(c, e, BuiltinId::Bagremove);
  uint64_t value = 0;
  if (!c->owner->script().bags[e->index]->remove(key, value)) {
    return fail(c, ErrorCode::BagEmpty, e, key);
  }
  return {value, 0};
}

RtResult fetchadd(RtCtx* c, const Expr* e, uint64_t delta) {
  VP_CHARGE(c, e, BuiltinId::Fetchadd);
  return {c->owner->script().shared[e->var.index].fetch_add(delta), 0};
}

RtResult cmpxchg(RtCtx* c, const Expr* e, uint64_t expected, uint64_t desired) {
  VP_CHARGE(c, e, BuiltinId::Cmpxchg);
  bool swapped = c->owner->script().shared[e->var.index].compare_exchange_strong(expected, desired);
  return {swapped ? 1u : 0u, 0};
}

RtResult foreachBegin(RtCtx* c, const Expr* e) {
  ContextImpl& ctx = *c->owner;
  ctx.foreach.push_back(ctx.script().bags[e->index]->snapshot());
  return {ctx.foreach.back().size(), 0};
}

uint64_t foreachKey(RtCtx* c, uint64_t i) {
  return c->owner->foreach.back()[i].first;
}

uint64_t foreachValue(RtCtx* c, uint64_t i) {
  return c->owner->foreach.back()[i].second;
}

void foreachEnd(RtCtx* c) { c->owner->foreach.pop_back(); }

}  // namespace vp::rt
