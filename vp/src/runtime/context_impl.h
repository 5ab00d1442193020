// A thread's context: its RtCtx (and VP variables), its target, its
// aggregate shards and its buffered output.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vp/src/runtime/rt_ctx.h"
#include "vp/src/runtime/script_state.h"
#include "vp/vp.h"

namespace vp {

class ContextImpl final : public Context {
 public:
  ContextImpl(ScriptState& script, Target& target, int id, bool isVcpu);
  ~ContextImpl() override;
  ContextImpl(const ContextImpl&) = delete;
  ContextImpl& operator=(const ContextImpl&) = delete;

  void flush() override;
  int id() const override { return id_; }

  // Prepares rt() for a fire of `probe` (budget, registers, arguments).
  void beginFire(const ProbeDef& probe, std::span<const uint64_t> args);
  // Commits whole lines of output; reports the error if the fire failed.
  FireStatus endFire(bool failed);

  RtCtx* rt() { return rt_; }
  char* strVar(uint32_t i) {
    return reinterpret_cast<char*>(rtInts(rt_)) + script_.strBase + kStrSlot * i;
  }
  ScriptState& script() { return script_; }
  const ScriptState& script() const { return script_; }
  Target& target() { return target_; }
  ShardSet& shards() { return *shards_; }
  bool isVcpu() const { return isVcpu_; }
  // Text waiting for its end of line; printf appends here.
  std::string& out() { return out_; }
  // Extra words for the error message of a Format or Decode error.
  std::string detail;
  // Bag snapshots of the bagforeach loops in progress, innermost last.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> foreach;

 private:
  static constexpr size_t kStrSlot = 256;
  std::string errorMessage() const;

  ScriptState& script_;
  Target& target_;
  int id_;
  bool isVcpu_;
  RtCtx* rt_;
  ShardSet* shards_;
  std::string out_;
};

}  // namespace vp
