// A Sink that keeps the lines of several threads in time order, within a
// bound, as VProbes' per-vCPU buffers did.
//
// Each thread that prints gets its own buffer of `bufferBytes` (text plus
// a small per-entry overhead); a fire locks only its own thread's buffer,
// which nothing else locks but take(), so firing threads never wait for
// each other. A fire's output (whole lines) that does not fit is dropped
// whole, never cut, and counted per probe and kind (output / error line)
// until takeDrops(). So the memory held is bounded by threads x
// bufferBytes, whatever a script prints, and a consumer that falls behind
// loses counted lines instead of growing the process.
//
// take() merges every buffer in time order: by TSC, then within one
// thread in the order printed (between threads, equal TSCs keep buffer
// order). Thread safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vp/vp.h"

namespace vp {

class OrderedSink : public Sink {
 public:
  static constexpr size_t kDefaultBufferBytes = size_t{1} << 20;
  // Bookkeeping charged per entry on top of its text (the Entry itself
  // and the string's allocation).
  static constexpr size_t kEntryOverhead = 64;

  explicit OrderedSink(size_t bufferBytes = kDefaultBufferBytes);
  ~OrderedSink() override;
  OrderedSink(const OrderedSink&) = delete;
  OrderedSink& operator=(const OrderedSink&) = delete;

  void output(uint64_t tsc, std::string_view text) override;
  void error(uint64_t tsc, std::string_view line) override;
  void outputFrom(uint64_t tsc, std::string_view text, std::string_view probe) override;
  void errorFrom(uint64_t tsc, std::string_view line, std::string_view probe) override;
  void recordsFrom(uint64_t tsc, std::string_view lines, std::string_view probe) override;

  // What an entry holds: text output, an error line, JSON records.
  enum class Kind : uint8_t { Output, Error, Records };
  struct Entry {
    uint64_t tsc;
    uint64_t seq;  // order within its thread's buffer
    bool isError;
    std::string text;
    bool isRecords = false;
  };
  // Removes and returns entries with tsc <= upTo, in order.
  std::vector<Entry> take(uint64_t upTo = UINT64_MAX);

  struct Drop {
    std::string probe;  // empty: output not attributed to a probe
    bool isError;
    uint64_t lines;
    bool isRecords = false;  // JSON records (one a line)
  };
  // What was dropped since the last call, by probe and kind, sorted.
  std::vector<Drop> takeDrops();
  size_t bufferBytes() const { return bufferBytes_; }

  struct Buffer;  // one thread's (ordered_sink.cpp)

 private:
  void add(uint64_t tsc, std::string_view text, std::string_view probe, Kind kind);
  Buffer& mine();

  const size_t bufferBytes_;
  const uint64_t id_;  // unique over the process: threads cache by it
  std::mutex buffersMu_;  // the list, not the buffers' contents
  std::vector<std::shared_ptr<Buffer>> buffers_;
};

}  // namespace vp
