// The periodic probes' timer keeps each entry's phase, so a probe's check
// falls halfway between two of its fires, even after a stall.
#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "vmx-engine/src/probes/periodic_timer.h"

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

TEST_CASE("periodic timer: an entry with a phase runs between the periods of another") {
  std::mutex mu;
  std::string seen;
  std::vector<Clock::time_point> when;
  auto record = [&](char c) {
    std::lock_guard l(mu);
    if (seen.size() == 10) return;
    seen += c;
    when.push_back(Clock::now());
    if (seen.size() == 3) std::this_thread::sleep_for(std::chrono::milliseconds(70));  // a stall
  };
  vmx::PeriodicTimer t({{microseconds(20000), [&] { record('f'); }},
                        {microseconds(20000), [&] { record('c'); }, microseconds(10000)}});
  t.start();
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard l(mu);
      if (seen.size() == 10) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  t.stop();
  std::lock_guard l(mu);
  REQUIRE(seen == "fcfcfcfcfc");
  // After the stall (events 4 on), each c still comes ~10 ms after its f:
  // missed periods were dropped whole. The median of three pairs keeps
  // one late wake-up of a busy machine from deciding.
  std::vector<double> gaps;
  for (size_t i = 4; i + 1 < when.size(); i += 2)
    gaps.push_back(std::chrono::duration<double, std::milli>(when[i + 1] - when[i]).count());
  std::sort(gaps.begin(), gaps.end());
  CAPTURE(gaps);
  CHECK(gaps[1] > 5.0);
  CHECK(gaps[1] < 15.0);
}
