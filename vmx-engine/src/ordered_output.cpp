#include "vmx-engine/ordered_output.h"

namespace vmx {

OrderedOutput::OrderedOutput(ProbeOutput& files, size_t bufferBytes,
                             std::chrono::milliseconds period)
    : files_(files), pending_(bufferBytes), period_(period), thread_([this] { run(); }) {}

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
    if (entry.isRecords) {
      files_.records(entry.tsc, entry.text);
    } else if (entry.isError) {
      files_.error(entry.tsc, entry.text);
    } else {
      files_.output(entry.tsc, entry.text);
    }
  }
  reportDrops();
}

void OrderedOutput::reportDrops() {
  for (const vp::OrderedSink::Drop& d : pending_.takeDrops()) {
    lost_ += d.lines;
    std::string what = d.isError     ? " runtime error lines"
                       : d.isRecords ? " JSON records of output"
                                     : " lines of output";
    if (d.isRecords) files_.records(0, vp::dropJson(d.probe, d.lines));
    std::string from = d.probe.empty() ? "" : " from probe " + d.probe;
    files_.error(0, "vprobe: lost " + std::to_string(d.lines) + what + from +
                        ": the output buffer of the thread that fired it (vprobe.outputBufferKB = " +
                        std::to_string((pending_.bufferBytes() + 1023) / 1024) + ") was full");
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
