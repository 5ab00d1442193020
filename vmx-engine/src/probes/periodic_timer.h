// The timer behind the periodic probes (VMM1Hz, VMM10Hz, USEC:n, VMX1Hz):
// one thread per loaded script calling each entry's action at its period.
// A deadline missed by more than a period is skipped, not made up for, so
// a stalled host never produces a burst of fires.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vmx {

class PeriodicTimer {
 public:
  struct Entry {
    std::chrono::microseconds period;
    std::function<void()> action;  // runs on the timer thread
    // First run at start() + period + phase, then every period.
    std::chrono::microseconds phase{0};
  };
  explicit PeriodicTimer(std::vector<Entry> entries);
  ~PeriodicTimer();  // stops and joins
  void start();
  void stop();

 private:
  void run();

  std::vector<Entry> entries_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace vmx
