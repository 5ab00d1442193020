// Probe output on its way from the engine to the files, in time order.
//
// vCPU threads and VMX threads print concurrently; the engine's
// vp::OrderedSink holds their lines stamped with the pseudo TSC, and this
// class's flusher thread moves them to ProbeOutput (vprobe.out / vprobe.err)
// every `period`, each batch sorted by TSC. The period (20 ms by default)
// keeps `tail -f vprobe.out` within the ~100 ms a user notices, while
// lines printed at nearly the same time by different vCPUs still come out
// in the order they were printed.
//
// The engine's buffers are bounded (vprobe.outputBufferKB per printing
// thread, vp/ordered_sink.h): what a script prints faster than the files
// take it is dropped in whole lines, and each flush that finds drops
// writes one line per probe to vprobe.err, as bpftrace's "Lost N events":
//   vprobe: lost N lines of output from probe P (...)
// and, for a script printing JSON, a drop record to vprobe.json.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "vmx-engine/probe_output.h"
#include "vp/ordered_sink.h"
#include "vp/vp.h"

namespace vmx {

class OrderedOutput {
 public:
  explicit OrderedOutput(ProbeOutput& files,
                         size_t bufferBytes = vp::OrderedSink::kDefaultBufferBytes,
                         std::chrono::milliseconds period = std::chrono::milliseconds(20));
  // Writes what is still pending, then stops the flusher thread.
  ~OrderedOutput();
  OrderedOutput(const OrderedOutput&) = delete;
  OrderedOutput& operator=(const OrderedOutput&) = delete;

  // What the engine prints to (vp::Script::load's sink).
  vp::Sink& sink() { return pending_; }

  // Writes everything pending now; for when the files must be complete
  // (a script unloaded, the VM stopping).
  void flush();

  // Lines dropped so far (output and error lines), over the VM's life.
  uint64_t lostLines() const { return lost_.load(); }

 private:
  void run();
  void reportDrops();

  ProbeOutput& files_;
  vp::OrderedSink pending_;
  std::atomic<uint64_t> lost_{0};
  std::chrono::milliseconds period_;
  std::mutex flushMu_;  // one batch at a time keeps batches in order
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vmx
