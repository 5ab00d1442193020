// The stops planted for guest probes (vmm-engine/breakpoints.h) and the
// page requests behind them and behind data probes (memory_layout.h),
// against a model of guest memory. An input is a sequence of operations:
// plant, unplant, abandon (a probe that cannot go on), guest writes the
// monitor performs (a write to a protected page), device writes it does
// not see (DMA), the monitor's reads of the guest's own bytes, hits (the
// guest reaching an address), data-probe page requests and releases.
// After every operation:
//   - outside the addresses holding a live stop, RAM holds exactly the
//     guest's bytes (what it would hold with no probes);
//   - a live stop's address holds the stop (unless a device overwrote it);
//   - the guest's bytes as the monitor reads them (readOriginal), which is
//     what emulated instructions and probe decoding see, are the guest's
//     own: never a planted byte, except where a device overwrote a live
//     stop (the remembered original is then stale, as documented);
//   - a hit at an address holding one of our stops is recognized (armed);
//   - a guest write that changes a planted instruction's byte is counted
//     (rewrites), so the probe notices its instruction changed;
//   - the requested page modes are the strongest requested per page, and
//     the memslots for them cover RAM minus the unbacked pages, read-only
//     exactly where requested, in maximal runs.
// At the end every stop is unplanted and every request released: RAM is
// the guest's bytes exactly (but where a device wrote the stop byte itself
// over a live stop, which cannot be told from ours), nothing is left.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "fuzz/support/input_bytes.h"
#include "vmm-engine/breakpoints.h"
#include "vmm-engine/guest_memory.h"
#include "vmm-engine/memory_layout.h"

namespace {

using vmm::Breakpoints;
using Mode = vmm::MemoryLayout::PageMode;

constexpr uint64_t kPage = 4096, kPages = 8, kRam = kPages * kPage;
constexpr size_t kMaxOps = 256, kMaxWrite = 24;

[[noreturn]] void broken(const char* what, uint64_t at) {
  std::fprintf(stderr, "guest_stops: %s (at 0x%llx)\n", what,
               static_cast<unsigned long long>(at));
  std::abort();
}

// One RAM for every input (mapping it each time would dominate the run);
// each input starts by filling it from its own first bytes.
vmm::GuestMemory& ram() {
  static vmm::GuestMemory mem(kRam);
  if (!mem.valid()) broken("cannot map guest RAM", 0);
  return mem;
}

// What a device (DMA) last wrote over a live stop: the monitor does not
// see those writes.
enum class Device : uint8_t { None, StopByte, Other };

struct Stop {
  uint8_t stop;
  uint32_t refs;
  bool live;        // not abandoned
  uint8_t original; // what the monitor restores
  Device device;
};

struct Model {
  std::vector<uint8_t> guest = std::vector<uint8_t>(kRam);  // no probes
  std::map<uint64_t, Stop> stops;
  std::map<uint64_t, std::array<uint32_t, 2>> pageRefs;  // [ReadOnly, Unbacked]
};

class Run {
 public:
  explicit Run(fuzz::InputBytes in) : in_(in), bp_(ram()), layout_(-1, ram(), true) {}
  ~Run() = default;

  void start() {
    // A few distinct bytes, the stops among them, so plants meet them; the
    // pattern is made once and each input starts at its own offset in it
    // (filling RAM byte by byte would dominate the run).
    static const std::vector<uint8_t> pattern = [] {
      static constexpr uint8_t kPalette[8] = {0x90, 0xcc, 0xf4, 0x00, 0x48, 0x89, 0xc3, 0x0f};
      std::vector<uint8_t> v(2 * kRam);
      uint64_t x = 1;
      for (auto& b : v) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        b = kPalette[x >> 61];
      }
      return v;
    }();
    const uint8_t* from = pattern.data() + in_.take(2) % kRam;
    std::memcpy(ram().hostBase(), from, kRam);
    std::memcpy(m_.guest.data(), from, kRam);
  }

  void step() {
    switch (in_.take(1) % 9) {
      case 0: plant(); break;
      case 1: unplant(pickStop()); break;
      case 2: abandon(pickStop()); break;
      case 3: guestWrite(); break;
      case 4: deviceWrite(); break;
      case 5: readGuest(); break;
      case 6: hit(); break;
      case 7: requestPage(); break;
      case 8: releasePage(); break;
    }
    checkLayout();
  }
  bool more() const { return in_.n > 0; }

  void finish() {
    while (!m_.stops.empty()) unplant(m_.stops.begin()->first);
    while (!m_.pageRefs.empty()) {
      auto& [page, n] = *m_.pageRefs.begin();
      releaseOne(page, n[1] ? Mode::Unbacked : Mode::ReadOnly);
    }
    checkLayout();
    if (bp_.size() != 0 || !bp_.pages().empty()) broken("stops left after unplanting all", 0);
    const uint8_t* p = ram().hostBase();
    if (std::memcmp(p, m_.guest.data(), kRam) == 0) return;
    for (uint64_t a = 0; a < kRam; ++a)
      if (p[a] != m_.guest[a]) broken("RAM differs from the guest's bytes after unplanting", a);
  }

 private:
  // An address: mostly in RAM, some past its end or straddling it.
  uint64_t address() {
    uint64_t v = in_.take(2);
    if (v % 16 == 0) return kRam - 8 + (v >> 4) % 24;
    return v % kRam;
  }
  // An address holding a stop when there is one (else any).
  uint64_t pickStop() {
    uint64_t v = in_.take(1);
    if (m_.stops.empty() || v == 255) return address();
    auto it = m_.stops.begin();
    std::advance(it, v % m_.stops.size());
    return it->first;
  }

  void plant() {
    uint64_t gpa = address();
    uint8_t stop = in_.take(1) & 1 ? Breakpoints::kHlt : Breakpoints::kInt3;
    bool ok = bp_.plant(gpa, stop);
    auto it = m_.stops.find(gpa);
    bool want = gpa < kRam && (it != m_.stops.end() || m_.guest[gpa] != stop);
    if (ok != want) broken(ok ? "plant succeeded where it must not" : "plant refused", gpa);
    if (!ok) return;
    if (it == m_.stops.end())
      it = m_.stops.emplace(gpa, Stop{stop, 0, true, m_.guest[gpa], Device::None}).first;
    ++it->second.refs;
    // As GuestProbes: a page holding a stop is read-only to the guest.
    requestOne(gpa / kPage, Mode::ReadOnly);
    checkBytes(gpa, 1);
  }

  void unplant(uint64_t gpa) {
    bp_.remove(gpa);
    auto it = m_.stops.find(gpa);
    if (it == m_.stops.end()) return checkBytes(gpa, 1);
    releaseOne(gpa / kPage, Mode::ReadOnly);
    if (--it->second.refs == 0) {
      giveBack(gpa, it->second);
      m_.stops.erase(it);
    }
    checkBytes(gpa, 1);
  }

  void abandon(uint64_t gpa) {
    bp_.abandon(gpa);
    auto it = m_.stops.find(gpa);
    if (it != m_.stops.end()) giveBack(gpa, it->second);
    checkBytes(gpa, 1);
  }

  // A live stop goes: the monitor restores its original where memory
  // still holds the stop. A device's write of the stop byte itself cannot
  // be told from ours, so the guest then gets the original back.
  void giveBack(uint64_t gpa, Stop& s) {
    if (s.live && s.device != Device::Other) m_.guest[gpa] = s.original;
    s.live = false;
  }

  std::vector<uint8_t> data(size_t& len) {
    len = 1 + in_.take(1) % kMaxWrite;
    std::vector<uint8_t> d(len);
    for (auto& b : d) b = uint8_t(in_.take(1));
    return d;
  }

  void guestWrite() {
    uint64_t gpa = address();
    size_t len;
    auto d = data(len);
    uint64_t before = bp_.rewrites();
    bool changed = false, near = false;
    for (auto& [a, s] : m_.stops) {
      near = near || (a + 14 >= gpa && a < gpa + len);
      if (s.live && a >= gpa && a < gpa + len) changed = changed || s.original != d[a - gpa];
    }
    bool ok = bp_.guestWrite(gpa, d.data(), len);
    if (ok != (gpa < kRam && len <= kRam - gpa)) broken("guestWrite's range check", gpa);
    if (!ok) return;
    std::copy(d.begin(), d.end(), m_.guest.begin() + gpa);
    for (auto it = m_.stops.lower_bound(gpa); it != m_.stops.end() && it->first < gpa + len; ++it) {
      Stop& s = it->second;
      if (!s.live) continue;
      // A stop a device overwrote is gone: the guest's byte is stored.
      if (s.device == Device::Other) s.live = false;
      s.original = d[it->first - gpa];
      s.device = Device::None;
    }
    bool counted = bp_.rewrites() > before;
    if (changed && !counted) broken("a write changing a planted instruction was not counted", gpa);
    if (counted && !changed && !near) broken("a write far from every stop was counted", gpa);
    checkBytes(gpa, len);
  }

  void deviceWrite() {
    uint64_t gpa = address();
    size_t len;
    auto d = data(len);
    if (!ram().write(gpa, d.data(), len)) return;
    std::copy(d.begin(), d.end(), m_.guest.begin() + gpa);
    for (auto it = m_.stops.lower_bound(gpa); it != m_.stops.end() && it->first < gpa + len; ++it) {
      if (!it->second.live) continue;
      bool same = d[it->first - gpa] == it->second.stop;
      it->second.device = same ? Device::StopByte : Device::Other;
    }
    checkBytes(gpa, len);
  }

  void readGuest() {
    uint64_t gpa = address();
    size_t len = 1 + in_.take(1) % 32;
    checkBytes(gpa, len);
  }

  void hit() {
    uint64_t gpa = address();
    if (gpa >= kRam) return;
    auto it = m_.stops.find(gpa);
    bool ours = it != m_.stops.end() && it->second.live;
    if (bp_.armed(gpa) != ours) broken("armed() disagrees with the planted stops", gpa);
    if (bp_.stopAt(gpa) != (it == m_.stops.end() ? 0 : it->second.stop))
      broken("stopAt() disagrees with the planted stops", gpa);
  }

  void requestPage() {
    uint64_t page = in_.take(1) % (kPages + 2);
    requestOne(page, in_.take(1) & 1 ? Mode::Unbacked : Mode::ReadOnly);
  }
  void releasePage() {
    uint64_t page = in_.take(1) % (kPages + 2);
    releaseOne(page, in_.take(1) & 1 ? Mode::Unbacked : Mode::ReadOnly);
  }
  void requestOne(uint64_t page, Mode mode) {
    layout_.request(page, mode);
    ++m_.pageRefs[page][mode == Mode::Unbacked];
  }
  void releaseOne(uint64_t page, Mode mode) {
    layout_.release(page, mode);
    auto it = m_.pageRefs.find(page);
    if (it == m_.pageRefs.end()) return;
    uint32_t& n = it->second[mode == Mode::Unbacked];
    if (n) --n;
    if (!it->second[0] && !it->second[1]) m_.pageRefs.erase(it);
  }

  // RAM and the monitor's view of the guest's bytes over [gpa, gpa+len).
  void checkBytes(uint64_t gpa, size_t len) {
    if (gpa >= kRam) return;
    len = std::min<uint64_t>(len, kRam - gpa);
    std::vector<uint8_t> seen(len);
    if (!bp_.readOriginal(gpa, seen.data(), len)) broken("readOriginal failed in RAM", gpa);
    const uint8_t* p = ram().hostBase();
    for (uint64_t a = gpa; a < gpa + len; ++a) {
      auto it = m_.stops.find(a);
      const Stop* s = it != m_.stops.end() && it->second.live ? &it->second : nullptr;
      // The monitor's view is the remembered original: stale only where a
      // device overwrote the stop.
      uint8_t want = s ? s->original : m_.guest[a];
      if (seen[a - gpa] != want) broken("the monitor reads a byte that is not the guest's", a);
      if (s && s->device == Device::None && want != m_.guest[a])
        broken("the remembered original is not the guest's byte", a);
      uint8_t inRam = s && s->device != Device::Other ? s->stop : m_.guest[a];
      if (p[a] != inRam) broken(s ? "a live stop is not in memory" : "RAM differs from the guest's bytes", a);
    }
    if (bp_.size() != m_.stops.size()) broken("the number of stops differs", gpa);
  }

  void checkLayout() {
    auto want = std::map<uint64_t, Mode>();
    for (auto& [page, n] : m_.pageRefs) want[page] = n[1] ? Mode::Unbacked : Mode::ReadOnly;
    if (layout_.requested() != want) broken("requested page modes differ from the requests", 0);
    auto slots = vmm::MemoryLayout::slotsFor(kRam, want);
    uint64_t page = 0;
    for (size_t i = 0; i < slots.size(); ++i) {
      const auto& s = slots[i];
      if (s.gpa % kPage || s.bytes % kPage || s.bytes == 0) broken("a slot not in whole pages", s.gpa);
      if (i && slots[i - 1].gpa + slots[i - 1].bytes == s.gpa && slots[i - 1].readOnly == s.readOnly)
        broken("two slots that should be one", s.gpa);
      for (; page < s.gpa / kPage; ++page)
        if (!want.count(page) || want[page] != Mode::Unbacked) broken("a page with no slot", page);
      for (; page < (s.gpa + s.bytes) / kPage; ++page) {
        bool ro = want.count(page) && want[page] == Mode::ReadOnly;
        if (want.count(page) && want[page] == Mode::Unbacked) broken("an unbacked page in a slot", page);
        if (ro != s.readOnly) broken("a slot's read-only flag is wrong for a page", page);
      }
    }
    for (; page < kPages; ++page)
      if (!want.count(page) || want[page] != Mode::Unbacked) broken("a page past the last slot", page);
  }

  fuzz::InputBytes in_;
  Breakpoints bp_;
  vmm::MemoryLayout layout_;
  Model m_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Run run({data, size});
  run.start();
  for (size_t i = 0; i < kMaxOps && run.more(); ++i) run.step();
  run.finish();
  return 0;
}
