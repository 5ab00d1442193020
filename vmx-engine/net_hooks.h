// One network frame as the MAC_* probes see it, and the hooks a network
// adapter calls for them (the model: DiskHooks in devices.h).
#pragma once

#include <array>
#include <cstdint>

namespace vmx {

// MAC_SendPacket (a frame the guest sent) / MAC_ReceivePacket (a frame
// handed to the guest). Table 3-3 of the VP reference gives only ARG0;
// ARG1 and ARG2 are this project's extension.
struct NetPacketEvent {
  uint64_t adapter;  // ARG0: 0 for ethernet0
  uint64_t length;   // ARG1: the Ethernet frame's bytes (no virtio header)
  // ARG2: the guest-physical address of the frame's first byte when the
  // whole frame lies in one guest buffer (readable with getguestphys
  // while the probe runs), else 0.
  uint64_t frameGpa;
  std::array<uint64_t, 3> args() const { return {adapter, length, frameGpa}; }
};

// Called on the adapter's device thread (never a vCPU thread).
// setHooks() may be called from any thread except a hook; once it
// returns the old hooks are not running and will not be called again.
class NetHooks {
 public:
  virtual ~NetHooks() = default;
  virtual void onSend(const NetPacketEvent&) {}
  virtual void onReceive(const NetPacketEvent&) {}
};

class NetPacketSource {
 public:
  virtual ~NetPacketSource() = default;
  virtual void setHooks(NetHooks* hooks) = 0;
};

}  // namespace vmx
