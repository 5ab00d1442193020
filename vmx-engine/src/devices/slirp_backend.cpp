// libslirp glue: its callbacks, its timers and its poll set, all on the
// owner's thread (slirp_backend.h).
#include "vmx-engine/slirp_backend.h"

#include <algorithm>
#include <climits>
#include <ctime>
#include <slirp/libslirp.h>

namespace vmx {

struct SlirpBackend::Timer {
  SlirpTimerCb cb;
  void* opaque;
  int64_t expireMs;  // -1: not armed
};

namespace {
SlirpBackend* self(void* opaque) { return static_cast<SlirpBackend*>(opaque); }

int toPoll(int ev) {
  return (ev & SLIRP_POLL_IN ? POLLIN : 0) | (ev & SLIRP_POLL_OUT ? POLLOUT : 0) |
         (ev & SLIRP_POLL_PRI ? POLLPRI : 0);
}
int fromPoll(int rev) {
  return (rev & POLLIN ? SLIRP_POLL_IN : 0) | (rev & POLLOUT ? SLIRP_POLL_OUT : 0) |
         (rev & POLLPRI ? SLIRP_POLL_PRI : 0) | (rev & POLLERR ? SLIRP_POLL_ERR : 0) |
         (rev & POLLHUP ? SLIRP_POLL_HUP : 0);
}
}  // namespace

struct SlirpCallbacks {
  static ssize_t send(const void* buf, size_t len, void* opaque) {
    self(opaque)->deliver_(static_cast<const uint8_t*>(buf), len);
    return ssize_t(len);
  }
  static void guestError(const char*, void*) {}
  static int64_t clock(void* opaque) { return self(opaque)->nowNs(); }
  static void* timerNew(SlirpTimerCb cb, void* cbOpaque, void* opaque) {
    auto* t = new SlirpBackend::Timer{cb, cbOpaque, -1};
    self(opaque)->timers_.push_back(t);
    return t;
  }
  static void timerFree(void* timer, void* opaque) {
    auto& ts = self(opaque)->timers_;
    ts.erase(std::remove(ts.begin(), ts.end(), timer), ts.end());
    delete static_cast<SlirpBackend::Timer*>(timer);
  }
  static void timerMod(void* timer, int64_t expireMs, void*) {
    static_cast<SlirpBackend::Timer*>(timer)->expireMs = expireMs;
  }
  static void registerFd(int, void*) {}
  static void unregisterFd(int, void*) {}
  // Slirp's sockets are polled again at the next fill(); the loop never
  // sleeps longer than slirp's own timeout.
  static void notify(void*) {}
  static int addPoll(int fd, int events, void* opaque) {
    SlirpBackend* b = self(opaque);
    b->filling_->push_back({fd, short(toPoll(events)), 0});
    return int(b->filling_->size() - 1 - b->fillFirst_);
  }
  static int revents(int idx, void* opaque) {
    SlirpBackend* b = self(opaque);
    size_t i = b->polledFirst_ + size_t(idx);
    if (idx < 0 || i >= b->polled_->size()) return 0;
    return fromPoll((*b->polled_)[i].revents);
  }
};

namespace {
const SlirpCb kCallbacks = {
    .send_packet = SlirpCallbacks::send,
    .guest_error = SlirpCallbacks::guestError,
    .clock_get_ns = SlirpCallbacks::clock,
    .timer_new = SlirpCallbacks::timerNew,
    .timer_free = SlirpCallbacks::timerFree,
    .timer_mod = SlirpCallbacks::timerMod,
    .register_poll_fd = SlirpCallbacks::registerFd,
    .unregister_poll_fd = SlirpCallbacks::unregisterFd,
    .notify = SlirpCallbacks::notify,
    .init_completed = nullptr,
    .timer_new_opaque = nullptr,
};

in_addr ip(const char* dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted, &a);
  return a;
}
}  // namespace

SlirpBackend::SlirpBackend(Deliver deliver) : deliver_(std::move(deliver)) {
  SlirpConfig cfg{};
  cfg.version = 1;
  cfg.in_enabled = true;
  cfg.vnetwork = ip("10.0.2.0");
  cfg.vnetmask = ip("255.255.255.0");
  cfg.vhost = ip("10.0.2.2");
  cfg.vdhcp_start = ip("10.0.2.15");
  cfg.vnameserver = ip("10.0.2.3");
  cfg.vhostname = "vprobes";
  slirp_ = slirp_new(&cfg, &kCallbacks, this);
}

SlirpBackend::~SlirpBackend() {
  if (slirp_) slirp_cleanup(slirp_);
  for (Timer* t : timers_) delete t;
}

int64_t SlirpBackend::nowNs() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SlirpBackend::input(const uint8_t* frame, size_t len) {
  if (slirp_ && len <= size_t(INT_MAX)) slirp_input(slirp_, frame, int(len));
}

void SlirpBackend::fill(std::vector<pollfd>& fds, int& timeoutMs) {
  if (!slirp_) return;
  uint32_t t = timeoutMs < 0 ? UINT32_MAX : uint32_t(timeoutMs);
  filling_ = &fds;
  fillFirst_ = fds.size();
  slirp_pollfds_fill(slirp_, &t, SlirpCallbacks::addPoll, this);
  filling_ = nullptr;
  int64_t nowMs = nowNs() / 1000000;
  for (const Timer* tm : timers_)
    if (tm->expireMs >= 0) t = uint32_t(std::clamp<int64_t>(tm->expireMs - nowMs, 0, t));
  timeoutMs = t > uint32_t(INT_MAX) ? -1 : int(t);
}

void SlirpBackend::dispatch(const std::vector<pollfd>& fds, size_t first, bool pollFailed) {
  if (!slirp_) return;
  polled_ = &fds;
  polledFirst_ = first;
  slirp_pollfds_poll(slirp_, pollFailed ? 1 : 0, SlirpCallbacks::revents, this);
  polled_ = nullptr;
  runTimers();
}

void SlirpBackend::runTimers() {
  int64_t nowMs = nowNs() / 1000000;
  // A callback may re-arm or free timers: collect first.
  std::vector<Timer> due;
  for (Timer* t : timers_) {
    if (t->expireMs >= 0 && t->expireMs <= nowMs) {
      t->expireMs = -1;
      due.push_back(*t);
    }
  }
  for (const Timer& t : due) t.cb(t.opaque);
}

}  // namespace vmx
