// KVM's binary statistics (kvm_stats.h) parsed from crafted files in the
// layout of Documentation/virt/kvm/api.rst, well formed and hostile, and
// the exit rows built from them (exit_statistics.h).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstring>
#include <vector>

#include "vmm-engine/exit_statistics.h"
#include "vmm-engine/kvm_stats.h"

namespace {

struct Stat {
  const char* name;
  uint32_t flags;
  uint16_t size;
  std::vector<uint64_t> values;
};

// A stats file as KVM lays it out: header, id, descriptors, data.
struct StatsFile {
  std::vector<uint8_t> bytes;
  uint32_t nameSize = 48;
  size_t descOffset = 0, dataOffset = 0;

  explicit StatsFile(const std::vector<Stat>& stats, uint32_t nameSz = 48) : nameSize(nameSz) {
    size_t descSize = 16 + nameSize;
    descOffset = 24 + nameSize;
    dataOffset = descOffset + stats.size() * descSize;
    size_t dataBytes = 0;
    for (const auto& s : stats) dataBytes += s.size * 8;
    bytes.assign(dataOffset + dataBytes, 0);
    put32(0, 0);
    put32(4, nameSize);
    put32(8, uint32_t(stats.size()));
    put32(12, 24);
    put32(16, uint32_t(descOffset));
    put32(20, uint32_t(dataOffset));
    memcpy(&bytes[24], "kvm-1234/vcpu-0", std::min<size_t>(15, nameSize - 1));
    size_t valueOffset = 0;
    for (size_t i = 0; i < stats.size(); ++i) {
      size_t d = descOffset + i * descSize;
      put32(d, stats[i].flags);
      memcpy(&bytes[d + 6], &stats[i].size, 2);
      put32(d + 8, uint32_t(valueOffset));
      strncpy(reinterpret_cast<char*>(&bytes[d + 16]), stats[i].name, nameSize);
      for (size_t k = 0; k < stats[i].size; ++k) {
        uint64_t v = k < stats[i].values.size() ? stats[i].values[k] : 0;
        memcpy(&bytes[dataOffset + valueOffset + k * 8], &v, 8);
      }
      valueOffset += stats[i].size * 8;
    }
  }
  void put32(size_t at, uint32_t v) { memcpy(&bytes[at], &v, 4); }
  vmm::StatsReadAt reader() const {
    return [this](uint64_t offset, size_t len, uint8_t* out) {
      if (offset > bytes.size() || len > bytes.size() - offset) return false;
      memcpy(out, bytes.data() + offset, len);
      return true;
    };
  }
  std::span<const uint8_t> data(const vmm::KvmStatsLayout& l) const {
    return {bytes.data() + l.dataOffset(), l.dataSize()};
  }
};

const std::vector<Stat> kSample = {
    {"exits", 0x00, 1, {1000}},
    {"halt_poll_fail_hist", 0x14, 4, {1, 2, 3, 4}},  // a log histogram: skipped
    {"io_exits", 0x00, 1, {300}},
    {"halt_exits", 0x00, 1, {50}},
    {"guest_mode", 0x41, 1, {0}},  // instant, boolean
    {"mmio_exits", 0x00, 1, {7}},
};

std::string parseError(const StatsFile& f) {
  vmm::KvmStatsLayout l;
  std::string error;
  if (l.parse(f.reader(), error)) return "";
  return error;
}

}  // namespace

TEST_CASE("kvm stats: every single-value statistic, by name") {
  StatsFile f(kSample);
  vmm::KvmStatsLayout l;
  std::string error;
  REQUIRE(l.parse(f.reader(), error));
  auto v = l.values(f.data(l));
  CHECK(v.size() == 5);
  CHECK(v["exits"] == 1000);
  CHECK(v["io_exits"] == 300);
  CHECK(v["halt_exits"] == 50);
  CHECK(v["mmio_exits"] == 7);
  CHECK(v.count("halt_poll_fail_hist") == 0);
  CHECK(l.descs()[0].cumulative());
}

TEST_CASE("kvm stats: truncated and hostile layouts are refused") {
  SECTION("header cut short") {
    StatsFile f(kSample);
    f.bytes.resize(20);
    CHECK(parseError(f) == "KVM statistics: header truncated");
  }
  SECTION("descriptors cut short") {
    StatsFile f(kSample);
    f.bytes.resize(f.descOffset + 30);
    CHECK(parseError(f) == "KVM statistics: descriptors truncated");
  }
  SECTION("data block cut short") {
    StatsFile f(kSample);
    f.bytes.resize(f.bytes.size() - 1);
    CHECK(parseError(f) == "KVM statistics: data block truncated");
  }
  SECTION("descriptor offsets beyond the file") {
    StatsFile f(kSample);
    f.put32(16, 0xfffffff0);
    CHECK(parseError(f) == "KVM statistics: descriptors truncated");
  }
  SECTION("a value's offset far outside the data block") {
    StatsFile f(kSample);
    f.put32(f.descOffset + 8, 0xfffffff8);
    CHECK(parseError(f) == "KVM statistics: exits lies outside the data block");
  }
  SECTION("a value just past the data block as read") {
    StatsFile f(kSample);
    f.put32(f.descOffset + 8, 5 * 8 + 4 * 8);  // the block holds 9 values
    CHECK(parseError(f) == "KVM statistics: data block truncated");
  }
  SECTION("a name without its terminating NUL") {
    StatsFile f(kSample, 8);  // "halt_poll_fail_hist" does not fit in 8
    CHECK(parseError(f) == "KVM statistics: descriptor 1 has no terminated name");
  }
  SECTION("an empty name, a zero-sized value") {
    StatsFile f({{"", 0, 1, {1}}});
    CHECK(parseError(f) == "KVM statistics: descriptor 0 has no terminated name");
    StatsFile z({{"x", 0, 0, {}}});
    CHECK(parseError(z) == "KVM statistics: x lies outside the data block");
  }
  SECTION("implausible counts and sizes") {
    StatsFile f(kSample);
    f.put32(8, 0x7fffffff);
    CHECK(parseError(f) ==
          "KVM statistics: implausible header (name size 48, 2147483647 descriptors)");
    StatsFile g(kSample);
    g.put32(4, 0);
    CHECK(parseError(g) == "KVM statistics: implausible header (name size 0, 6 descriptors)");
  }
}

TEST_CASE("exit statistics: in-kernel exits are KVM's minus the monitor's") {
  vmm::ExitCounts monitor;
  monitor.byKind[size_t(vmm::ExitKind::Io)] = 280;
  monitor.byKind[size_t(vmm::ExitKind::Hlt)] = 40;
  monitor.byKind[size_t(vmm::ExitKind::Debug)] = 10;
  monitor.byKind[size_t(vmm::ExitKind::Kick)] = 20;
  monitor.total = 350;
  std::map<std::string, uint64_t> kvm = {
      {"exits", 1000}, {"io_exits", 300}, {"halt_exits", 50}, {"mmio_exits", 0}};
  auto value = [](const std::vector<vmm::ExitStatRow>& rows, const std::string& name) {
    for (auto& r : rows)
      if (r.name == name) return int64_t(r.value);
    return int64_t(-1);
  };
  auto rows = vmm::exitStatistics(monitor, kvm, false);
  CHECK(value(rows, "monitor.exits") == 350);
  CHECK(value(rows, "monitor.io") == 280);
  CHECK(value(rows, "kvm.exits") == 1000);
  CHECK(value(rows, "in_kernel.exits") == 650);
  CHECK(value(rows, "in_kernel.io_exits") == 20);
  CHECK(value(rows, "in_kernel.halt_exits") == 10);
  // Planted hlt stops: the monitor counts them as debug exits.
  CHECK(value(vmm::exitStatistics(monitor, kvm, true), "in_kernel.halt_exits") == 0);
  CHECK(vmm::kernelExitSummary(rows) ==
        "KVM: exits=1000 halt_exits=50 io_exits=300 (in kernel: exits=650 io_exits=20 halt_exits=10)");
  // Counters read a moment apart never give a negative count.
  monitor.total = 2000;
  CHECK(value(vmm::exitStatistics(monitor, kvm, false), "in_kernel.exits") == 0);
  // Without KVM's statistics: the monitor's rows only, no log text.
  auto only = vmm::exitStatistics(monitor, {}, false);
  CHECK(value(only, "kvm.exits") == -1);
  CHECK(value(only, "in_kernel.exits") == -1);
  CHECK(vmm::kernelExitSummary(only).empty());
}
