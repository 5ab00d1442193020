#include "vmm-engine/exit_statistics.h"

namespace vmm {
namespace {

uint64_t minusClamped(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

}  // namespace

std::vector<ExitStatRow> exitStatistics(const ExitCounts& monitor,
                                        const std::map<std::string, uint64_t>& kvm,
                                        bool hltStops) {
  std::vector<ExitStatRow> rows;
  rows.push_back({"monitor.exits", monitor.total});
  for (size_t k = 0; k < size_t(ExitKind::Count); ++k)
    rows.push_back({std::string("monitor.") + exitKindName(ExitKind(k)), monitor.byKind[k]});
  if (kvm.empty()) return rows;
  for (const auto& [name, value] : kvm) rows.push_back({"kvm." + name, value});
  auto kvmValue = [&](const char* name, uint64_t& out) {
    auto it = kvm.find(name);
    if (it == kvm.end()) return false;
    out = it->second;
    return true;
  };
  uint64_t v;
  if (kvmValue("exits", v)) rows.push_back({"in_kernel.exits", minusClamped(v, monitor.total)});
  if (kvmValue("io_exits", v))
    rows.push_back({"in_kernel.io_exits", minusClamped(v, monitor[ExitKind::Io])});
  if (kvmValue("halt_exits", v)) {
    uint64_t seen = monitor[ExitKind::Hlt] + (hltStops ? monitor[ExitKind::Debug] : 0);
    rows.push_back({"in_kernel.halt_exits", minusClamped(v, seen)});
  }
  return rows;
}

std::string kernelExitSummary(const std::vector<ExitStatRow>& rows) {
  std::string kvm, inKernel;
  for (const auto& r : rows) {
    if (r.name.starts_with("kvm.") && r.value)
      kvm += " " + r.name.substr(4) + "=" + std::to_string(r.value);
    else if (r.name.starts_with("in_kernel."))
      inKernel += " " + r.name.substr(10) + "=" + std::to_string(r.value);
  }
  if (kvm.empty() && inKernel.empty()) return "";
  return "KVM:" + kvm + " (in kernel:" + inKernel + ")";
}

}  // namespace vmm
