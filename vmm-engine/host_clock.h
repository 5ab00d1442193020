// Time as probes see it: the pseudo TSC (the host's TSC, monotonic and the
// same on every CPU of the hosts we run on: constant_tsc), its frequency,
// and host time.
#pragma once

#include <cstdint>

namespace vmm {

uint64_t readTsc();
// TSC ticks per second, measured once against CLOCK_MONOTONIC (about
// 20 ms on first use; call it early to keep that off probe paths).
uint64_t tscHz();
// Host wall-clock time in microseconds (getsystemtime).
uint64_t hostTimeUs();

}  // namespace vmm
