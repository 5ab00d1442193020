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
  nlohmann::json reply;
  if (!requestVm(args, vmx::MessageType::VprobeStats, nlohmann::json::object(), reply)) return 1;
  const auto& rows = reply.contains("stats") ? reply["stats"] : nlohmann::json::array();
  for (const auto& row : rows) {
    if (!row.is_array() || row.size() != 2 || !row[0].is_string() || !row[1].is_number_unsigned())
      continue;
    std::printf("%s %llu\n", row[0].get<std::string>().c_str(),
                (unsigned long long)row[1].get<uint64_t>());
  }
  return 0;
}

}  // namespace vmrun
