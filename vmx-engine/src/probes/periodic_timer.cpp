#include "vmx-engine/src/probes/periodic_timer.h"

namespace vmx {

PeriodicTimer::PeriodicTimer(std::vector<Entry> entries) : entries_(std::move(entries)) {}

PeriodicTimer::~PeriodicTimer() { stop(); }

void PeriodicTimer::start() {
  if (entries_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void PeriodicTimer::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTimer::run() {
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> due;
  const Clock::time_point start = Clock::now();
  for (const auto& e : entries_) due.push_back(start + e.period + e.phase);
  std::unique_lock<std::mutex> lock(mu_);
  while (!quit_) {
    size_t next = 0;
    for (size_t i = 1; i < due.size(); ++i) {
      if (due[i] < due[next]) next = i;
    }
    if (cv_.wait_until(lock, due[next], [this] { return quit_; })) break;
    lock.unlock();
    entries_[next].action();
    lock.lock();
    const auto period = entries_[next].period;
    due[next] += period;
    // Missed ones are dropped, in whole periods: entries keep their
    // phases relative to each other (a probe's fire and its check).
    const Clock::time_point now = Clock::now();
    if (due[next] < now) due[next] += ((now - due[next]) / period + 1) * period;
  }
}

}  // namespace vmx
