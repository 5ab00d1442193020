#include "vp/ordered_sink.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "vp/src/runtime/spin_lock.h"

namespace vp {

struct OrderedSink::Buffer {
  SpinLock lock;  // the owning thread's fires, and take()
  std::vector<Entry> entries;
  size_t bytes = 0;
  uint64_t seq = 0;
  std::map<std::pair<std::string, OrderedSink::Kind>, uint64_t> drops;
  // The thread is gone (no more adds) / the sink is gone (the thread's
  // cache drops it at its next miss).
  std::atomic<bool> orphaned{false}, dead{false};
};

namespace {

std::atomic<uint64_t> nextSinkId{1};

// This thread's buffers, by sink id. Each entry shares its buffer with the
// sink; a thread's exit marks them orphaned so that take() can let them go
// once drained.
struct ThreadBuffers {
  std::vector<std::pair<uint64_t, std::shared_ptr<OrderedSink::Buffer>>> bySink;
  ~ThreadBuffers() {
    for (auto& [id, buf] : bySink) buf->orphaned = true;
  }
};
thread_local ThreadBuffers tlBuffers;

uint64_t countLines(std::string_view text) {
  uint64_t n = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  return n ? n : 1;  // an unterminated flush is one line
}

}  // namespace

OrderedSink::OrderedSink(size_t bufferBytes) : bufferBytes_(bufferBytes), id_(nextSinkId++) {}

OrderedSink::~OrderedSink() {
  std::lock_guard<std::mutex> g(buffersMu_);
  for (auto& b : buffers_) {
    std::lock_guard<SpinLock> l(b->lock);
    b->entries = {};
    b->drops.clear();
    b->dead = true;
  }
}

OrderedSink::Buffer& OrderedSink::mine() {
  auto& list = tlBuffers.bySink;
  for (auto& [id, buf] : list)
    if (id == id_) return *buf;
  std::erase_if(list, [](const auto& e) { return e.second->dead.load(); });
  auto buf = std::make_shared<Buffer>();
  {
    std::lock_guard<std::mutex> g(buffersMu_);
    buffers_.push_back(buf);
  }
  list.emplace_back(id_, buf);
  return *buf;
}

void OrderedSink::add(uint64_t tsc, std::string_view text, std::string_view probe, Kind kind) {
  Buffer& b = mine();
  size_t cost = text.size() + kEntryOverhead;
  std::lock_guard<SpinLock> l(b.lock);
  if (b.bytes + cost > bufferBytes_) {
    b.drops[{std::string(probe), kind}] += countLines(text);
    return;
  }
  b.bytes += cost;
  b.entries.push_back({tsc, b.seq++, kind == Kind::Error, std::string(text), kind == Kind::Records});
}

void OrderedSink::output(uint64_t tsc, std::string_view text) { add(tsc, text, {}, Kind::Output); }
void OrderedSink::error(uint64_t tsc, std::string_view line) { add(tsc, line, {}, Kind::Error); }
void OrderedSink::outputFrom(uint64_t tsc, std::string_view text, std::string_view probe) {
  add(tsc, text, probe, Kind::Output);
}
void OrderedSink::errorFrom(uint64_t tsc, std::string_view line, std::string_view probe) {
  add(tsc, line, probe, Kind::Error);
}
void OrderedSink::recordsFrom(uint64_t tsc, std::string_view lines, std::string_view probe) {
  add(tsc, lines, probe, Kind::Records);
}

namespace {

// The entries of `b` with tsc <= upTo, in the buffer's order.
std::vector<OrderedSink::Entry> takeFrom(OrderedSink::Buffer& b, uint64_t upTo) {
  std::vector<OrderedSink::Entry> mine;
  std::lock_guard<SpinLock> l(b.lock);
  if (upTo == UINT64_MAX) {
    // The whole buffer in O(1), so the thread that owns it barely waits.
    mine.swap(b.entries);
    b.bytes = 0;
    return mine;
  }
  auto split = std::stable_partition(b.entries.begin(), b.entries.end(),
                                     [&](const OrderedSink::Entry& e) { return e.tsc <= upTo; });
  for (auto it = b.entries.begin(); it != split; ++it) {
    b.bytes -= it->text.size() + OrderedSink::kEntryOverhead;
    mine.push_back(std::move(*it));
  }
  b.entries.erase(b.entries.begin(), split);
  return mine;
}

bool byTsc(const OrderedSink::Entry& a, const OrderedSink::Entry& b) { return a.tsc < b.tsc; }

// All runs in TSC order, stable: equal TSCs keep run order, and each run's
// own order. A thread's TSCs only grow, so each run is normally sorted
// already and merging the runs (log2 of the threads' number of passes)
// replaces sorting everything (log2 of the lines' number): the VM's
// flusher shares the cores with the vCPUs that print.
std::vector<OrderedSink::Entry> mergeByTsc(std::vector<std::vector<OrderedSink::Entry>> runs) {
  size_t total = 0;
  bool sorted = true;
  for (const auto& r : runs) {
    total += r.size();
    sorted = sorted && std::is_sorted(r.begin(), r.end(), byTsc);
  }
  std::vector<OrderedSink::Entry> out;
  out.reserve(total);
  std::vector<size_t> bounds{0};
  for (auto& r : runs) {
    if (r.empty()) continue;
    std::move(r.begin(), r.end(), std::back_inserter(out));
    bounds.push_back(out.size());
  }
  if (!sorted) {
    std::stable_sort(out.begin(), out.end(), byTsc);
    return out;
  }
  // Bottom-up: merge neighbouring runs until one is left.
  while (bounds.size() > 2) {
    std::vector<size_t> next{0};
    for (size_t i = 2; i < bounds.size(); i += 2) {
      std::inplace_merge(out.begin() + bounds[i - 2], out.begin() + bounds[i - 1],
                         out.begin() + bounds[i], byTsc);
      next.push_back(bounds[i]);
    }
    if (bounds.size() % 2 == 0) next.push_back(bounds.back());
    bounds.swap(next);
  }
  return out;
}

}  // namespace

std::vector<OrderedSink::Entry> OrderedSink::take(uint64_t upTo) {
  std::lock_guard<std::mutex> g(buffersMu_);
  std::vector<std::vector<Entry>> runs;
  runs.reserve(buffers_.size());
  for (auto& b : buffers_) runs.push_back(takeFrom(*b, upTo));
  // Buffers of threads that are gone, once drained and their drops read.
  std::erase_if(buffers_, [](const std::shared_ptr<Buffer>& b) {
    std::lock_guard<SpinLock> l(b->lock);
    return b->orphaned && b->entries.empty() && b->drops.empty();
  });
  return mergeByTsc(std::move(runs));
}

std::vector<OrderedSink::Drop> OrderedSink::takeDrops() {
  std::map<std::pair<std::string, Kind>, uint64_t> all;
  {
    std::lock_guard<std::mutex> g(buffersMu_);
    for (auto& b : buffers_) {
      std::lock_guard<SpinLock> l(b->lock);
      for (auto& [key, n] : b->drops) all[key] += n;
      b->drops.clear();
    }
  }
  std::vector<Drop> out;
  for (auto& [key, n] : all) {
    out.push_back({key.first, key.second == Kind::Error, n, key.second == Kind::Records});
  }
  return out;
}

}  // namespace vp
