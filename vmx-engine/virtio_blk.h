// A virtio block device (virtio 1.0, 5.2) behind the legacy PCI transport
// (virtio_pci.h): the Linux guest's disk0, backed by the .vmx's disk
// file, one request queue of kQueueSize entries. Offered features:
// VIRTIO_BLK_F_SEG_MAX (kSegMax data segments per request) and
// VIRTIO_BLK_F_BLK_SIZE (512). Not offered: FLUSH (so the guest treats
// the disk as write-through; writes reach the host file with pwrite, not
// fsync), read-only, discard, indirect descriptors, event index.
//
// Requests are read in any layout: the 16-byte header {u32 type, u32
// reserved, u64 sector} is the first 16 bytes the device reads, the
// status byte the last byte it writes; the data is what lies between.
// IN (read) and OUT (write) requests go to the file with preadv/pwritev
// straight into guest RAM, on this device's own thread (the VMX domain),
// each between a Disk_IOStart and a Disk_IOFinish (DiskHooks) with
// ARG0 = kVirtioAdapterType, the request's sector and count, and one sg
// entry per data buffer. A request whose data is not whole sectors or
// runs past the end of the disk ends with VIRTIO_BLK_S_IOERR and fires no
// probe; GET_ID returns the serial "vprobes-disk0"; other types answer
// VIRTIO_BLK_S_UNSUPP. A chain without room for the header or the status
// is returned with nothing written.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <sys/uio.h>
#include <thread>
#include <vector>

#include "vmx-engine/devices.h"
#include "vmx-engine/virtio_pci.h"

namespace vmx {

// ARG0 of Disk_IOStart/Disk_IOFinish for the virtio disk (VMware numbers
// its adapter kinds; virtio has no number there, so ours is 'V').
inline constexpr uint64_t kVirtioAdapterType = 0x56;

class VirtioBlk : public VirtioDevice, public DiskIoSource {
 public:
  static constexpr uint16_t kQueueSize = 128;
  static constexpr uint32_t kSegMax = kQueueSize - 2;  // header and status
  static constexpr uint32_t kSectorBytes = 512;
  // Opens (creating, and extending to `sectors` if shorter) `path`.
  VirtioBlk(const std::string& path, uint64_t sectors);
  ~VirtioBlk() override;
  bool valid() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  uint64_t requestsDone() const { return done_.load(); }

  void setHooks(DiskHooks* hooks) override;

  uint16_t virtioType() const override { return 2; }
  uint32_t pciClass() const override { return 0x018000; }  // other storage
  uint32_t features() const override;
  unsigned queueCount() const override { return 1; }
  uint16_t queueSize() const override { return kQueueSize; }
  uint32_t configSize() const override { return 0x18; }
  uint8_t configByte(uint32_t offset) override;
  void connect(VirtioQueues& queues) override { queues_ = &queues; }
  void notify(unsigned queue) override;
  void reset() override {}

 private:
  struct Request;
  void threadMain();
  void serve(const VirtqChain& chain);
  uint8_t execute(Request& r);
  bool transfer(const Request& r);
  int fd_ = -1;
  std::string error_;
  uint64_t sectors_;
  VirtioQueues* queues_ = nullptr;
  std::atomic<uint64_t> nextId_{1}, done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false, quit_ = false;
  std::mutex hookMu_;  // held while a hook runs and while replacing it
  DiskHooks* hooks_ = nullptr;
  std::thread thread_;
};

}  // namespace vmx
