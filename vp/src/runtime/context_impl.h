// A thread's context: its RtCtx (and VP variables), its target, its
// aggregate shards and its buffered output.
#pragma once

#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vp/src/builtins.h"
#include "vp/src/runtime/rt_ctx.h"
#include "vp/src/runtime/script_state.h"
#include "vp/vp.h"

namespace vp {

// On cache lines of its own, as ShardSet: contexts are allocated together
// at load, and a fire writes its context (the output line, the error
// detail) while other threads fire theirs.
class alignas(64) ContextImpl final : public Context {
 public:
  ContextImpl(ScriptState& script, Target& target, int id, bool isVcpu);
  ~ContextImpl() override;
  ContextImpl(const ContextImpl&) = delete;
  ContextImpl& operator=(const ContextImpl&) = delete;

  void flush() override;
  int id() const override { return id_; }

  // Prepares rt() for a fire of `probe` (budget, registers, arguments).
  // Inline: this and endFire's fast path are most of an empty fire's cost.
  void beginFire(const char* probeName, bool loadOrUnload, bool functionEntry,
                 uint64_t frameBytes, std::span<const uint64_t> args) {
    RtCtx* c = rt_;
    c->budget = kFireBudget;
    c->stackUsed = frameBytes;
    c->valid = 0;
    c->errCode = 0;
    c->tryDepth = 0;
    c->budgetRefills = 0;
    c->fireStamp = 0;
    c->loadOrUnload = loadOrUnload;
    c->functionEntry = functionEntry;
    c->probeName = probeName;
    size_t n = args.size() < 10 ? args.size() : 10;
    std::memset(c->args, 0, sizeof c->args);
    if (n) std::memcpy(c->args, args.data(), 8 * n);
  }
  // Commits whole lines of output; reports the error if the fire failed.
  FireStatus endFire(bool failed) {
    if (!failed && out_.empty()) return FireStatus::Ok;
    return finishFire(failed);
  }

  RtCtx* rt() { return rt_; }
  char* strVar(uint32_t i) {
    return reinterpret_cast<char*>(rtInts(rt_)) + script_.strBase + kStrSlot * i;
  }
  ScriptState& script() { return script_; }
  const ScriptState& script() const { return script_; }
  Target& target() { return target_; }
  ShardSet& shards() { return *shards_; }  // only for scripts with aggregates
  bool isVcpu() const { return isVcpu_; }
  // Text waiting for its end of line; printf appends here. (With JSON
  // output, past the fire's finished records: see recordsEnd_.)
  std::string& out() { return out_; }
  // The script prints JSON records (Options::format) instead of text.
  bool json() const { return json_; }
  // JSON output: adds `record` (one line) after the fire's finished
  // lines so far, which become printf records first.
  void addRecord(std::string_view record);
  // Who prints now, for a record.
  RecordOrigin origin(uint64_t tsc) const { return {probeName(), isVcpu_ ? id_ : -1, tsc}; }
  // Extra words for the error message of a Format or Decode error.
  std::string detail;
  // The reference interpreter's frames (allocated on its first use).
  std::vector<uint8_t> interpStack;
  // Bag snapshots of the bagforeach loops in progress, innermost last.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> foreach;

 private:
  static constexpr size_t kStrSlot = 256;
  FireStatus finishFire(bool failed);
  FireStatus finishJson(FireStatus status, std::string_view errorLine);
  void recordLines(uint64_t tsc, bool unfinishedToo);
  void sendRecords(uint64_t tsc);
  std::string errorMessage() const;
  std::string_view probeName() const;  // of the last fire; empty before one

  ScriptState& script_;
  Target& target_;
  int id_;
  bool isVcpu_;
  RtCtx* rt_;
  ShardSet* shards_ = nullptr;
  std::string out_;
  // JSON output: out_[0, recordsEnd_) holds the fire's finished records;
  // after them, text not yet made a record. Always 0 for text output, so
  // endFire's fast path is the same for both formats.
  size_t recordsEnd_ = 0;
  bool json_;
};

}  // namespace vp
