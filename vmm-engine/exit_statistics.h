// Every exit, counted: the exits that reached the monitor (metrics.h, the
// ones HV_Exit fires for) beside KVM's own per-vCPU statistics
// (kvm_stats.h), which also count the exits KVM handles in the kernel
// (CPUID, MSRs, nested page faults it resolves, port I/O of in-kernel
// devices, ...) and which no probe can see.
//
// Rows, by name (docs/probes.md, "Every exit, counted"):
//   monitor.exits, monitor.<kind>   returns from KVM_RUN the monitor handled
//   kvm.<statistic>                 KVM's single-value statistics, as it
//                                   names them, summed over vCPUs (peaks:
//                                   the largest)
//   in_kernel.exits                 kvm.exits - monitor.exits: exits KVM
//                                   handled without returning to the monitor
//   in_kernel.io_exits              kvm.io_exits - monitor.io
//   in_kernel.halt_exits            kvm.halt_exits - the monitor's hlt exits
// The in_kernel rows are differences of counters read at slightly
// different moments, so they are clamped at 0; only rows whose two sides
// count the same event are given (KVM's mmio_exits, for instance, already
// counts only MMIO exits to user space).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vmm-engine/metrics.h"

namespace vmm {

struct ExitStatRow {
  std::string name;
  uint64_t value = 0;
};

// `hltStops`: planted probe stops are hlt instructions (the monitor counts
// their exits as debug exits, KVM as halt exits). `kvm` empty: monitor rows
// only.
std::vector<ExitStatRow> exitStatistics(const ExitCounts& monitor,
                                        const std::map<std::string, uint64_t>& kvm,
                                        bool hltStops);

// One line for vmx.log: "KVM: exits=N io_exits=N ... (in kernel: exits=K
// io_exits=K halt_exits=K)", KVM's non-zero counters only; "" without them.
std::string kernelExitSummary(const std::vector<ExitStatRow>& rows);

}  // namespace vmm
