#include "vmm-engine/host_clock.h"

#include <time.h>
#include <x86intrin.h>

namespace vmm {

namespace {

uint64_t nowNs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

uint64_t measureTscHz() {
  uint64_t t0 = nowNs(CLOCK_MONOTONIC), c0 = readTsc();
  timespec pause{0, 20 * 1000 * 1000};
  nanosleep(&pause, nullptr);
  uint64_t t1 = nowNs(CLOCK_MONOTONIC), c1 = readTsc();
  return t1 > t0 ? (c1 - c0) * 1000000000u / (t1 - t0) : 0;
}

}  // namespace

uint64_t readTsc() { return __rdtsc(); }

uint64_t tscHz() {
  static const uint64_t hz = measureTscHz();
  return hz;
}

uint64_t hostTimeUs() { return nowNs(CLOCK_REALTIME) / 1000; }

}  // namespace vmm
