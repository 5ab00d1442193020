// Exit counters, per vCPU, readable from any thread (relaxed atomics: each
// counter is exact, a snapshot across counters is not atomic).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace vmm {

// Exit kinds the monitor distinguishes (one KVM_EXIT_* each, plus kicks).
enum class ExitKind : uint8_t {
  Io, Hlt, Mmio, Shutdown, IrqWindowOpen, Kick, InternalError, FailEntry,
  Debug, SystemEvent, Other, Count
};
const char* exitKindName(ExitKind k);

struct ExitCounts {
  std::array<uint64_t, size_t(ExitKind::Count)> byKind{};
  uint64_t total = 0;
  uint64_t interruptsInjected = 0;
  uint64_t ioIn = 0, ioOut = 0;  // accesses, a string instruction counts once
  uint64_t operator[](ExitKind k) const { return byKind[size_t(k)]; }
  ExitCounts& operator+=(const ExitCounts& o);
  // "io=12 hlt=3 ..." (non-zero kinds only), for logs.
  std::string summary() const;
};

class ExitCounters {
 public:
  void countExit(ExitKind k) {
    byKind_[size_t(k)].fetch_add(1, std::memory_order_relaxed);
  }
  void countInterrupt() { irqs_.fetch_add(1, std::memory_order_relaxed); }
  void countIo(bool in) {
    (in ? in_ : out_).fetch_add(1, std::memory_order_relaxed);
  }
  ExitCounts snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, size_t(ExitKind::Count)> byKind_{};
  std::atomic<uint64_t> irqs_{0}, in_{0}, out_{0};
};

}  // namespace vmm
