#include "vmm-engine/kvm_stats.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace vmm {
namespace {

// Far above what any kernel gives (6.1: about 50 statistics, names of
// 48 bytes): a layout beyond them is a broken one.
constexpr uint32_t kMaxNameSize = 1024;
constexpr uint32_t kMaxDescs = 4096;
constexpr uint64_t kMaxDataBytes = 1 << 20;

constexpr size_t kHeaderSize = 24;  // struct kvm_stats_header
constexpr size_t kDescFixed = 16;   // struct kvm_stats_desc without its name

uint32_t u32At(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

uint16_t u16At(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

}  // namespace

bool KvmStatsLayout::parse(const StatsReadAt& read, std::string& error) {
  descs_.clear();
  uint8_t h[kHeaderSize];
  if (!read(0, sizeof h, h)) {
    error = "KVM statistics: header truncated";
    return false;
  }
  uint32_t nameSize = u32At(h + 4), numDesc = u32At(h + 8);
  uint64_t descOffset = u32At(h + 16), dataOffset = u32At(h + 20);
  if (nameSize == 0 || nameSize > kMaxNameSize || numDesc > kMaxDescs) {
    error = "KVM statistics: implausible header (name size " + std::to_string(nameSize) +
            ", " + std::to_string(numDesc) + " descriptors)";
    return false;
  }
  size_t descSize = kDescFixed + nameSize;
  std::vector<uint8_t> block(size_t(numDesc) * descSize);
  if (!block.empty() && !read(descOffset, block.size(), block.data())) {
    error = "KVM statistics: descriptors truncated";
    return false;
  }
  uint64_t dataEnd = 0;
  for (uint32_t i = 0; i < numDesc; ++i) {
    const uint8_t* d = block.data() + size_t(i) * descSize;
    uint32_t flags = u32At(d);
    uint64_t values = u16At(d + 6), offset = u32At(d + 8);
    const char* name = reinterpret_cast<const char*>(d + kDescFixed);
    size_t nameLen = strnlen(name, nameSize);
    if (nameLen == nameSize || nameLen == 0) {
      error = "KVM statistics: descriptor " + std::to_string(i) + " has no terminated name";
      return false;
    }
    if (values == 0 || offset + values * 8 > kMaxDataBytes) {
      error = "KVM statistics: " + std::string(name, nameLen) + " lies outside the data block";
      return false;
    }
    dataEnd = std::max(dataEnd, offset + values * 8);
    if (values == 1) descs_.push_back({std::string(name, nameLen), flags, offset});
  }
  // The data block must be readable as a whole now, so that every later
  // value() stays inside what was read.
  std::vector<uint8_t> data(dataEnd);
  if (!data.empty() && !read(dataOffset, data.size(), data.data())) {
    error = "KVM statistics: data block truncated";
    descs_.clear();
    return false;
  }
  dataOffset_ = dataOffset;
  dataSize_ = size_t(dataEnd);
  return true;
}

std::map<std::string, uint64_t> KvmStatsLayout::values(std::span<const uint8_t> data) const {
  std::map<std::string, uint64_t> out;
  for (const auto& d : descs_) {
    if (d.offset + 8 > data.size()) continue;
    uint64_t v;
    memcpy(&v, data.data() + d.offset, 8);
    out[d.name] = v;
  }
  return out;
}

bool KvmStats::open(int vcpuFd, std::string& error) {
  // SAFETY: KVM_GET_STATS_FD takes no argument and returns a new fd.
  int fd = ioctl(vcpuFd, KVM_GET_STATS_FD, 0);
  if (fd < 0) {
    error = std::string("KVM_GET_STATS_FD: ") + strerror(errno);
    return false;
  }
  fd_ = fd;
  auto readAt = [fd](uint64_t offset, size_t len, uint8_t* out) {
    return pread(fd, out, len, off_t(offset)) == ssize_t(len);
  };
  if (!layout_.parse(readAt, error)) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

KvmStats::~KvmStats() {
  if (fd_ >= 0) ::close(fd_);
}

std::map<std::string, uint64_t> KvmStats::read() const {
  if (fd_ < 0) return {};
  std::vector<uint8_t> data(layout_.dataSize());
  if (pread(fd_, data.data(), data.size(), off_t(layout_.dataOffset())) != ssize_t(data.size()))
    return {};
  return layout_.values(data);
}

}  // namespace vmm
