// User-mode networking through libslirp (the library QEMU's "-netdev user"
// uses): the host side of ethernet0 with connectionType "nat". The guest
// sits on 10.0.2.0/24; slirp answers ARP and DHCP itself, is the gateway
// at 10.0.2.2 (its connections and datagrams leave through ordinary host
// sockets, 10.0.2.2 itself being the host's 127.0.0.1) and the DNS
// forwarder at 10.0.2.3. No privileges are needed.
//
// Threads: libslirp is not thread-safe. Every call here, and every
// callback (frames to the guest), happens on the one thread that runs
// the owner's poll loop: fill() the poll set, poll(2), dispatch().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <poll.h>

struct Slirp;

namespace vmx {

class SlirpBackend {
 public:
  // A frame slirp sends to the guest (an Ethernet frame, no FCS).
  using Deliver = std::function<void(const uint8_t* frame, size_t len)>;
  explicit SlirpBackend(Deliver deliver);
  ~SlirpBackend();
  SlirpBackend(const SlirpBackend&) = delete;
  SlirpBackend& operator=(const SlirpBackend&) = delete;
  bool valid() const { return slirp_ != nullptr; }

  // A frame from the guest.
  void input(const uint8_t* frame, size_t len);
  // Appends slirp's descriptors to `fds` (after what is there) and lowers
  // `timeoutMs` to slirp's next deadline (its timers included).
  void fill(std::vector<pollfd>& fds, int& timeoutMs);
  // After poll(2) on the set fill() made (its entries from `first` on):
  // lets slirp read and write its sockets and runs expired timers.
  void dispatch(const std::vector<pollfd>& fds, size_t first, bool pollFailed);

 private:
  struct Timer;
  friend struct SlirpCallbacks;
  int64_t nowNs() const;
  void runTimers();
  Slirp* slirp_ = nullptr;
  Deliver deliver_;
  std::vector<Timer*> timers_;
  std::vector<pollfd>* filling_ = nullptr;
  size_t fillFirst_ = 0;
  const std::vector<pollfd>* polled_ = nullptr;
  size_t polledFirst_ = 0;
};

}  // namespace vmx
