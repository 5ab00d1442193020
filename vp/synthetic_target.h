// A Target with made-up state, for tests and `vp run`: registers and host
// values are whatever was set (0 otherwise), guest memory is the regions
// that were added (the rest unmapped; linear and physical addresses are
// the same), and time is a deterministic clock the host advances.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vp/vp.h"

namespace vp {

class SyntheticTarget : public Target {
 public:
  explicit SyntheticTarget(int vcpu = 0, bool isVcpu = true);

  void set(Global g, uint64_t value);
  void addMemory(uint64_t addr, std::vector<uint8_t> bytes);
  // Deterministic time: every event advances the TSC by 1000 ticks and
  // host time by 1000 us.
  void advance() { tsc_ += 1000; timeUs_ += 1000; }
  void setTsc(uint64_t v) { tsc_ = v; }

  bool fetch(RegGroup group, uint64_t* out) override;
  bool readLinear(uint64_t addr, void* buf, size_t len) override;
  bool readPhysical(uint64_t addr, void* buf, size_t len) override;
  uint64_t tsc() override { return tsc_; }
  uint64_t systemTimeUs() override { return timeUs_; }
  ChangeStatus change(const GuestChange& c, std::string& why) override;

  uint64_t get(Global g) const;
  // One line per change made: "PROBE: what changed".
  const std::vector<std::string>& changes() const { return changes_; }

 private:
  bool isVcpu_;
  std::array<uint64_t, kCachedSlots> values_{};
  std::map<uint64_t, std::vector<uint8_t>> memory_;  // by start address
  uint64_t tsc_ = 0, timeUs_ = 0;
  std::vector<std::string> changes_;

  bool writeLinear(uint64_t addr, const void* buf, size_t len);
  // The mapped bytes at `addr`, `avail` of them to the end of their
  // region; null when `addr` is not mapped.
  const uint8_t* mappedAt(uint64_t addr, uint64_t& avail) const;
  uint64_t& gpr(Global g);
};

}  // namespace vp
