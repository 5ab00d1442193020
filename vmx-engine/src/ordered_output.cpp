#include "vmx-engine/ordered_output.h"

namespace vmx {

OrderedOutput::OrderedOutput(ProbeOutput& files, std::chrono::milliseconds period)
    : files_(files), period_(period), thread_([this] { run(); }) {}

OrderedOutput::~OrderedOutput() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  flush();
}

void OrderedOutput::flush() {
  std::lock_guard<std::mutex> lock(flushMu_);
  for (const vp::OrderedSink::Entry& entry : pending_.take()) {
    if (entry.isError) {
      files_.error(entry.tsc, entry.text);
    } else {
      files_.output(entry.tsc, entry.text);
    }
  }
}

void OrderedOutput::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace vmx
