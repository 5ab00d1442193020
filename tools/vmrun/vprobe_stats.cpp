// vmrun vprobeStats X.vmx (our extension): every VM exit counted so far,
// one "NAME VALUE" line each: monitor.* (the exits HV_Exit fires for),
// kvm.* (KVM's own statistics, where the host has KVM_GET_STATS_FD) and
// in_kernel.* (exits that never left KVM), then output.lost_lines (probe
// output dropped because a thread's buffer was full, ordered_output.h) and
// output.unwritten_lines (dropped because the file refused the write: a
// full file system; probe_output.h).
// vmm-engine/exit_statistics.h and docs/probes.md say what each row counts.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeStats(const vmx::VmrunArgs& args) {
  vmx::VprobeStatsReply reply;
  if (!requestVm(args, vmx::VprobeStatsRequest{}, reply)) return 1;
  for (const auto& row : reply.stats)
    std::printf("%s %llu\n", row.name.c_str(), (unsigned long long)row.value);
  return 0;
}

}  // namespace vmrun
