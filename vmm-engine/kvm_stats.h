// KVM's binary statistics of one vCPU (KVM_GET_STATS_FD, Linux 5.14+,
// Documentation/virt/kvm/api.rst "KVM_GET_STATS_FD"): the counters KVM
// keeps for itself, among them the exits it handles in the kernel, which
// never reach the monitor (and so never fire HV_Exit).
//
// The file is a header, an id string, descriptors (flags, exponent, size,
// offset, bucket size, then a name of the header's name_size bytes) and a
// data block of u64s. The layout is read once (parse) and every length and
// offset in it is checked against the file as read: a kernel (or a test)
// giving a truncated or inconsistent layout gets an error, not a crash.
// Only single-value statistics are kept (histograms are skipped).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace vmm {

struct KvmStatDesc {
  std::string name;
  uint32_t flags = 0;    // KVM_STATS_TYPE_* | KVM_STATS_UNIT_* | KVM_STATS_BASE_*
  uint64_t offset = 0;   // of the value, from the start of the data block
  bool cumulative() const { return (flags & 0xf) == 0; }  // KVM_STATS_TYPE_CUMULATIVE
  bool peak() const { return (flags & 0xf) == 2; }        // KVM_STATS_TYPE_PEAK
};

// Reads `len` bytes at `offset` of the stats file into `out`; false when
// fewer could be read.
using StatsReadAt = std::function<bool(uint64_t offset, size_t len, uint8_t* out)>;

class KvmStatsLayout {
 public:
  // False with `error` (what is wrong, for vmx.log) for a layout that is
  // truncated, too large, or points outside what could be read.
  bool parse(const StatsReadAt& read, std::string& error);
  // name -> value of each kept statistic, from a data block as read at
  // dataOffset() (dataSize() bytes).
  std::map<std::string, uint64_t> values(std::span<const uint8_t> data) const;
  const std::vector<KvmStatDesc>& descs() const { return descs_; }
  uint64_t dataOffset() const { return dataOffset_; }
  size_t dataSize() const { return dataSize_; }

 private:
  std::vector<KvmStatDesc> descs_;
  uint64_t dataOffset_ = 0;
  size_t dataSize_ = 0;
};

// One vCPU's statistics file, opened from the vCPU fd.
class KvmStats {
 public:
  // False with `error` when the host has no KVM_GET_STATS_FD or the file
  // cannot be read.
  bool open(int vcpuFd, std::string& error);
  ~KvmStats();
  KvmStats() = default;
  KvmStats(const KvmStats&) = delete;
  KvmStats& operator=(const KvmStats&) = delete;
  // The current values; empty when the file is not open or a read fails.
  std::map<std::string, uint64_t> read() const;
  const KvmStatsLayout& layout() const { return layout_; }

 private:
  int fd_ = -1;
  KvmStatsLayout layout_;
};

}  // namespace vmm
