#include "vmm-engine/metrics.h"

namespace vmm {

const char* exitKindName(ExitKind k) {
  static const char* const names[] = {
      "io",    "hlt",      "mmio",  "shutdown",     "irq_window", "kick",
      "internal_error",    "fail_entry", "debug", "system_event", "other"};
  static_assert(sizeof names / sizeof names[0] == size_t(ExitKind::Count));
  return names[size_t(k)];
}

ExitCounts& ExitCounts::operator+=(const ExitCounts& o) {
  for (size_t i = 0; i < byKind.size(); ++i) byKind[i] += o.byKind[i];
  total += o.total;
  interruptsInjected += o.interruptsInjected;
  ioIn += o.ioIn;
  ioOut += o.ioOut;
  return *this;
}

std::string ExitCounts::summary() const {
  std::string s = "exits=" + std::to_string(total);
  for (size_t i = 0; i < byKind.size(); ++i)
    if (byKind[i])
      s += std::string(" ") + exitKindName(ExitKind(i)) + "=" +
           std::to_string(byKind[i]);
  s += " irqs=" + std::to_string(interruptsInjected);
  return s;
}

ExitCounts ExitCounters::snapshot() const {
  ExitCounts c;
  for (size_t i = 0; i < c.byKind.size(); ++i) {
    c.byKind[i] = byKind_[i].load(std::memory_order_relaxed);
    c.total += c.byKind[i];
  }
  c.interruptsInjected = irqs_.load(std::memory_order_relaxed);
  c.ioIn = in_.load(std::memory_order_relaxed);
  c.ioOut = out_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace vmm
