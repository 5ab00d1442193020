// A virtio network device (virtio 1.0, 5.1) behind the legacy PCI
// transport (virtio_pci.h): ethernet0 of either platform, its host side a
// SlirpBackend (user-mode NAT, slirp_backend.h). Queues: receive 0 and
// transmit 1, kQueueSize entries each. Offered: VIRTIO_NET_F_MAC only, so
// every chain starts with the 10-byte legacy virtio_net_hdr, which the
// device ignores on transmit (no checksum or segmentation offload is
// offered) and writes as zeros on receive.
//
// One thread per device runs slirp's poll loop and serves both queues.
// A transmit chain's readable bytes are header + frame; a chain shorter
// than the header, with an empty frame or a frame over kMaxFrame is
// returned unsent. Each sent frame fires MAC_SendPacket before it goes to
// slirp. A frame from slirp goes into the next receive chain (header +
// frame in its writable bytes; a chain too small gets the frame dropped
// and is returned with 0 bytes, which Linux counts as a length error),
// firing MAC_ReceivePacket once it is in guest memory; with no receive
// chain available up to kMaxPending frames wait, later ones are dropped.
// A reset drops the waiting frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vmx-engine/net_hooks.h"
#include "vmx-engine/virtio_pci.h"

namespace vmx {

class SlirpBackend;

class VirtioNet : public VirtioDevice, public NetPacketSource {
 public:
  static constexpr uint16_t kQueueSize = 256;
  static constexpr uint32_t kHeaderBytes = 10;
  static constexpr uint32_t kMaxFrame = 65535;
  static constexpr size_t kMaxPending = 256;
  using Mac = std::array<uint8_t, 6>;
  // A locally administered unicast address.
  static constexpr Mac kDefaultMac = {0x02, 0x00, 0x56, 0x50, 0x00, 0x01};
  // `adapter`: ARG0 of the probes. Starts the device thread and slirp.
  VirtioNet(unsigned adapter, Mac mac);
  ~VirtioNet() override;
  bool valid() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint64_t framesSent() const { return sent_.load(); }
  uint64_t framesReceived() const { return received_.load(); }
  uint64_t framesDropped() const { return dropped_.load(); }

  void setHooks(NetHooks* hooks) override;

  uint16_t virtioType() const override { return 1; }
  uint32_t pciClass() const override { return 0x020000; }  // Ethernet
  uint32_t features() const override { return 1u << 5; }   // VIRTIO_NET_F_MAC
  unsigned queueCount() const override { return 2; }
  uint16_t queueSize() const override { return kQueueSize; }
  uint32_t configSize() const override { return 6; }  // the MAC
  uint8_t configByte(uint32_t offset) override { return offset < 6 ? mac_[offset] : 0; }
  void connect(VirtioQueues& queues) override { queues_ = &queues; }
  void notify(unsigned queue) override;
  void reset() override;

  // Without slirp (tests): what the guest sent on the transmit queue goes
  // to `sink` instead, and inject() hands a frame to the receive path as
  // slirp would. Call before the driver starts.
  using Sink = std::function<void(const uint8_t*, size_t)>;
  void setSinkForTest(Sink sink);
  void inject(const uint8_t* frame, size_t len);

 private:
  void threadMain();
  void wake();
  void serveTransmit();
  void deliverPending();
  bool deliverOne(const std::vector<uint8_t>& frame);
  void fire(bool send, const NetPacketEvent& ev);
  void fromHost(const uint8_t* frame, size_t len);
  unsigned adapter_;
  Mac mac_;
  std::string error_;
  VirtioQueues* queues_ = nullptr;
  std::unique_ptr<SlirpBackend> slirp_;
  Sink sink_;
  int wakeFd_ = -1;
  std::atomic<bool> quit_{false};
  std::atomic<uint64_t> sent_{0}, received_{0}, dropped_{0};
  std::mutex pendingMu_;
  std::deque<std::vector<uint8_t>> pending_;
  std::mutex hookMu_;  // held while a hook runs and while replacing it
  NetHooks* hooks_ = nullptr;
  std::thread thread_;
};

}  // namespace vmx
