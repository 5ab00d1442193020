// needs: kvm
// The cost of MAC_SendPacket / MAC_ReceivePacket probes on the virtio
// network adapter's packet throughput, as ratios against no script,
// measured in the same run.
//
// A real vmx::VirtioNet behind its legacy vmx::VirtioPci transport, on
// the I/O bus of a vmm::Vm that is created (so that the script can be the
// product's own vmx::LoadedScript: it needs a Vm, hence KVM) but never
// started. This thread plays the guest driver: descriptor chains of two
// buffers (the 10-byte virtio header, then the frame, as Linux's legacy
// driver lays them out) in guest memory, the available ring, a
// queue-notify write through the I/O bus as a vCPU's `out` exit
// dispatches it, then sleeping until the transport's interrupt line
// rises, acknowledging it by reading ISR and reaping the used ring.
// Without slirp: transmitted frames go to a counting sink
// (setSinkForTest), received ones come from inject() into posted receive
// chains, never more in flight than the adapter queues (so none is
// dropped), so the host network adds no noise (the adapter still starts
// its slirp, which gets no frame).
//
// Each measurement moves BENCH_FRAMES (5000) frames of
// BENCH_FRAME_BYTES (60) in one direction; a run measures every script in
// both directions, starting with another script each run, and the bench
// does BENCH_RUNS (15) runs, printing each. The scripts: none; empty
// MAC_SendPacket/MAC_ReceivePacket probes; a global counter; an aggregate
// keyed by ARG1 (the length); an aggregate keyed by the EtherType read
// with getguestphys at ARG2 (our extension). They fire through
// LoadedScript::onSend/onReceive on the adapter's thread, as in a VM; each
// counting script reports at VMXUnload how many frames it saw, which must
// be all of them (the empty one cannot say). Each script's measurement
// is paired with a no-script one right before or after it (the load on a
// shared machine changes within seconds); "x none" is the median over the
// runs of script / its pair. Under nested KVM (bench/run-all) all of this runs in QEMU's
// emulator: only the ratios say something there.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "bench/flat_elf.h"
#include "vmm-engine/vm.h"
#include "vmx-engine/src/probes/loaded_script.h"
#include "vmx-engine/virtio_net.h"
#include "vmx-engine/virtio_pci.h"
#include "vp/vp.h"

namespace {

using Clock = std::chrono::steady_clock;
using vmx::VirtioNet;

// Guest-physical layout, above what the boot structures and the image use.
constexpr uint64_t kRings = 8 << 20;      // receive queue, then transmit
constexpr uint64_t kHeaders = 10 << 20;   // 16 bytes per chain
constexpr uint64_t kBuffers = 11 << 20;   // 2 KiB per chain
constexpr uint16_t kIoBase = 0xc040;
constexpr unsigned kRx = 0, kTx = 1;
constexpr uint16_t kQueueSize = VirtioNet::kQueueSize;
constexpr uint16_t kChains = kQueueSize / 2;  // two descriptors each
constexpr uint32_t kBufferBytes = 2048;
constexpr uint16_t kDescNext = 1, kDescWrite = 2;
enum : uint16_t { kRegFeatures = 0x00, kRegDriverFeatures = 0x04, kRegPfn = 0x08,
                  kRegSelect = 0x0e, kRegNotify = 0x10, kRegStatus = 0x12, kRegIsr = 0x13 };

uint64_t ringBase(unsigned q) { return kRings + q * 0x10000; }
uint64_t availBase(unsigned q) { return ringBase(q) + 16 * kQueueSize; }
uint64_t usedBase(unsigned q) { return (availBase(q) + 6 + 2 * kQueueSize + 4095) / 4096 * 4096; }
uint64_t headerGpa(unsigned q, unsigned chain) { return kHeaders + q * 0x10000 + 16 * chain; }
uint64_t bufferGpa(unsigned q, unsigned chain) {
  return kBuffers + q * (uint64_t(kChains) * kBufferBytes) + uint64_t(chain) * kBufferBytes;
}

// The transport's interrupt line, as the PIC would see it: the driver
// sleeps until it rises.
class Interrupt {
 public:
  void set(bool level) {
    if (!level) return;
    std::lock_guard l(mu_);
    raised_ = true;
    cv_.notify_one();
  }
  bool wait() {
    std::unique_lock l(mu_);
    bool ok = cv_.wait_for(l, std::chrono::seconds(10), [&] { return raised_; });
    raised_ = false;
    return ok;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool raised_ = false;
};

// The guest's side of the adapter: its rings, registers and buffers.
class Driver {
 public:
  Driver(vmm::Vm& vm, vmx::VirtioPci& pci, Interrupt& irq) : vm_(vm), pci_(pci), irq_(irq) {}

  // The set-up a legacy driver does; false (after saying why) when the
  // transport refused a queue.
  bool setUp() {
    out(kRegStatus, 1, 0);
    out(kRegStatus, 1, 3);  // ACKNOWLEDGE | DRIVER
    out(kRegDriverFeatures, 4, in(kRegFeatures, 4));
    for (unsigned q : {kRx, kTx}) {
      out(kRegSelect, 2, q);
      out(kRegPfn, 4, uint32_t(ringBase(q) / 4096));
    }
    out(kRegStatus, 1, 7);  // | DRIVER_OK
    std::string err = pci_.queueError();
    if (!err.empty()) fprintf(stderr, "mac_packet: %s\n", err.c_str());
    return err.empty();
  }

  // Lays out queue q's chains once: 2 KiB receive buffers, or transmit
  // buffers holding `frame`.
  void prepare(unsigned q, const std::vector<uint8_t>& frame) {
    uint16_t write = q == kRx ? kDescWrite : 0;
    uint32_t len = q == kRx ? kBufferBytes : uint32_t(frame.size());
    std::vector<uint8_t> zero(VirtioNet::kHeaderBytes, 0);
    for (unsigned c = 0; c < kChains; ++c) {
      desc(q, 2 * c, headerGpa(q, c), VirtioNet::kHeaderBytes, write | kDescNext, uint16_t(2 * c + 1));
      desc(q, 2 * c + 1, bufferGpa(q, c), len, write, 0);
      put(headerGpa(q, c), zero.data(), zero.size());
      if (q == kTx) put(bufferGpa(q, c), frame.data(), frame.size());
    }
  }

  // Seconds to send n frames (prepare(kTx) first); 0 when the device
  // stopped returning chains.
  double transmit(uint64_t n) {
    auto t0 = Clock::now();
    uint64_t done = 0, start = used_[kTx];
    while (done < n) {
      offer(kTx, start + std::min<uint64_t>(n, done + kChains));
      if (!reap(kTx, done, 0)) return 0;
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

  // Seconds to receive n frames of `frame` handed to `net` as the host
  // side would (prepare(kRx) first); 0 on a stall or a frame of the
  // wrong length.
  double receive(uint64_t n, VirtioNet& net, const std::vector<uint8_t>& frame) {
    auto t0 = Clock::now();
    uint64_t done = 0, injected = 0, start = used_[kRx];
    while (done < n) {
      offer(kRx, start + std::min<uint64_t>(n, done + kChains));
      // The adapter holds at most kMaxPending frames that wait for a chain.
      for (; injected < n && injected - done < VirtioNet::kMaxPending - 1; ++injected)
        net.inject(frame.data(), frame.size());
      if (!reap(kRx, done, uint32_t(VirtioNet::kHeaderBytes + frame.size()))) return 0;
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

 private:
  // Register access through the I/O bus, as a vCPU's in/out exit goes.
  void out(uint16_t offset, unsigned size, uint32_t value) {
    uint8_t b[4];
    memcpy(b, &value, 4);
    vm_.ioBus().out(vm_.vcpu(0), uint16_t(kIoBase + offset), b, size);
  }
  uint32_t in(uint16_t offset, unsigned size) {
    uint8_t b[4] = {};
    vm_.ioBus().in(vm_.vcpu(0), uint16_t(kIoBase + offset), b, size);
    uint32_t v = 0;
    memcpy(&v, b, size);
    return v;
  }

  void put(uint64_t gpa, const void* p, size_t n) { vm_.memory().write(gpa, p, n); }
  template <typename T>
  T get(uint64_t gpa) {
    T v{};
    vm_.memory().read(gpa, &v, sizeof v);
    return v;
  }

  void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t d[16];
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    put(ringBase(q) + 16 * i, d, 16);
  }

  // Makes chains available on q up to `upTo` since set-up, then notifies. The
  // device returns chains in order, so chain k reuses slot k % kChains.
  void offer(unsigned q, uint64_t upTo) {
    if (offered_[q] >= upTo) return;
    for (; offered_[q] < upTo; ++offered_[q]) {
      uint16_t head = uint16_t(2 * (offered_[q] % kChains));
      put(availBase(q) + 4 + 2 * (offered_[q] % kQueueSize), &head, 2);
    }
    uint16_t idx = uint16_t(offered_[q]);
    put(availBase(q) + 2, &idx, 2);
    out(kRegNotify, 2, q);
  }

  // Waits for the interrupt, acknowledges it and counts q's used chains
  // into `done`, checking each one's length.
  bool reap(unsigned q, uint64_t& done, uint32_t expectLen) {
    if (!irq_.wait()) {
      fprintf(stderr, "mac_packet: queue %u: no interrupt in 10 s (%s)\n", q, pci_.queueError().c_str());
      return false;
    }
    in(kRegIsr, 1);
    uint16_t used = get<uint16_t>(usedBase(q) + 2);
    for (; uint16_t(used_[q]) != used; ++used_[q], ++done) {
      uint32_t len = get<uint32_t>(usedBase(q) + 4 + 8 * (used_[q] % kQueueSize) + 4);
      if (len != expectLen) {
        fprintf(stderr, "mac_packet: queue %u: a chain came back with %u bytes, not %u\n", q, len,
                expectLen);
        return false;
      }
    }
    return true;
  }

  vmm::Vm& vm_;
  vmx::VirtioPci& pci_;
  Interrupt& irq_;
  uint64_t offered_[2] = {0, 0}, used_[2] = {0, 0};
};

// What the scripts print (at VMXUnload), kept for counting.
class CaptureSink : public vp::Sink {
 public:
  std::string text;
  void output(uint64_t, std::string_view t) override { text.append(t); }
  void error(uint64_t, std::string_view line) override {
    fprintf(stderr, "probe error: %.*s", int(line.size()), line.data());
  }
};

// The frames a script saw, from its unload output: "hits N", or the rows
// of an aggregate ("a[KEY] == avg .. count N ..."), whose keys go to
// `keys`.
uint64_t hitsIn(const std::string& out, std::string& keys) {
  static const std::regex hits(R"(hits (\d+))"), row(R"(\[([^\]]*)\] == avg \d+ count (\d+))");
  std::smatch m;
  if (std::regex_search(out, m, hits)) return std::stoull(m[1]);
  uint64_t n = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), row); it != std::sregex_iterator(); ++it) {
    keys += (keys.empty() ? "" : ",") + (*it)[1].str();
    n += std::stoull((*it)[2]);
  }
  return n;
}

struct Row {
  const char* name;
  const char* column;  // in the per-run table
  const char* script;  // null: no script loaded
  bool counts;         // the script reports the frames it saw
};

// Each script has both probes, so the same one serves both directions.
const Row kRows[] = {
    {"no script", "none", nullptr, false},
    {"empty probes", "empty", "(vprobe MAC_SendPacket) (vprobe MAC_ReceivePacket)", false},
    {"global counter (defshared)", "counter",
     "(defshared n pervm)"
     "(vprobe MAC_SendPacket (setint n (+ n 1))) (vprobe MAC_ReceivePacket (setint n (+ n 1)))"
     "(vprobe VMXUnload (printf \"hits %d\\n\" n))", true},
    {"aggr keyed by ARG1 (length)", "aggr ARG1",
     "(defaggr a 1 0)"
     "(vprobe MAC_SendPacket (aggr a (ARG1) () 1)) (vprobe MAC_ReceivePacket (aggr a (ARG1) () 1))"
     "(vprobe VMXUnload (logaggr a))", true},
    {"aggr by EtherType (getguestphys)", "EtherType",
     "(defaggr a 1 0)"
     "(vprobe MAC_SendPacket (aggr a ((& (getguestphys (+ ARG2 12)) 0xffff)) () 1))"
     "(vprobe MAC_ReceivePacket (aggr a ((& (getguestphys (+ ARG2 12)) 0xffff)) () 1))"
     "(vprobe VMXUnload (logaggr a))", true},
};
constexpr int kNumRows = sizeof kRows / sizeof kRows[0];

std::unique_ptr<vmx::LoadedScript> arm(vmm::Vm& vm, VirtioNet& net, const char* src, vp::Sink& sink) {
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(src, "bench.vp", vp::Options{}, sink, diags);
  for (auto& d : diags) fprintf(stderr, "%s\n", d.render(src).c_str());
  if (!script) return nullptr;
  auto loaded = std::make_unique<vmx::LoadedScript>(std::move(script), vm, nullptr, &net, [] {});
  loaded->load();
  return loaded;
}

// An IPv4 frame from `src` to `dst` of `len` bytes (EtherType 0x0800).
std::vector<uint8_t> frameOf(size_t len, const VirtioNet::Mac& dst, const VirtioNet::Mac& src) {
  std::vector<uint8_t> f(len);
  for (size_t i = 0; i < len; ++i) f[i] = uint8_t(i * 7);
  std::copy(dst.begin(), dst.end(), f.begin());
  std::copy(src.begin(), src.end(), f.begin() + 6);
  f[12] = 0x08, f[13] = 0x00;
  return f;
}

// A 1-instruction guest image: the VM is never started, but a Vm needs one.
std::string writeImage() {
  const uint8_t code[] = {0xf4, 0xeb, 0xfd};  // hlt; jmp hlt
  return bench::writeFlatElf(code, sizeof code, 0x100000, "mac_packet_bench");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

uint64_t envOr(const char* name, uint64_t dflt) {
  const char* s = getenv(name);
  return s && atoll(s) > 0 ? uint64_t(atoll(s)) : dflt;
}

struct Bench {
  vmm::Vm& vm;
  VirtioNet& net;
  Driver& driver;
  uint64_t frames;
  std::vector<uint8_t> txFrame, rxFrame;
  std::atomic<uint64_t>& sunk;

  // Frames/s of one direction under row r's script; 0 after printing why
  // the measurement is not valid.
  double measure(bool tx, int r) {
    CaptureSink sink;
    std::unique_ptr<vmx::LoadedScript> script;
    if (kRows[r].script && !(script = arm(vm, net, kRows[r].script, sink))) return 0;
    uint64_t sunk0 = sunk, got0 = net.framesReceived(), dropped0 = net.framesDropped();
    double secs = tx ? driver.transmit(frames) : driver.receive(frames, net, rxFrame);
    if (script) script->unload();
    uint64_t moved = tx ? sunk - sunk0 : net.framesReceived() - got0;
    std::string keys;
    uint64_t hits = kRows[r].counts ? hitsIn(sink.text, keys) : frames;
    if (secs <= 0 || moved != frames || net.framesDropped() != dropped0 || hits != frames) {
      fprintf(stderr, "mac_packet: %s, %s: %llu of %llu frames moved, %llu seen by the script, %llu dropped\n",
              tx ? "transmit" : "receive", kRows[r].name, (unsigned long long)moved,
              (unsigned long long)frames, (unsigned long long)hits,
              (unsigned long long)(net.framesDropped() - dropped0));
      return 0;
    }
    if (!keys.empty()) lastKeys[r] = keys;
    return frames / secs;
  }
  std::string lastKeys[kNumRows] = {};
};

std::string dashes(int n) { return std::string(size_t(n), '-'); }

// One direction's results: frames/s per script and run (the no-script
// row: the median of the run's no-script measurements), and each script's
// rate divided by the no-script measurement paired with it.
struct Results {
  std::vector<std::vector<double>> rate, ratio;  // [row][run]
  explicit Results(int runs)
      : rate(kNumRows, std::vector<double>(size_t(runs))),
        ratio(kNumRows, std::vector<double>(size_t(runs), 1.0)) {}
};

// One line per run: its no-script rate, then each script's paired ratio.
void printRuns(const Results& res, int runs) {
  printf("| run | %-10s |", "none, f/s");
  for (int r = 1; r < kNumRows; ++r) printf(" %-9s |", kRows[r].column);
  printf("\n|-----|%s|", dashes(12).c_str());
  for (int r = 1; r < kNumRows; ++r) printf("%s|", dashes(11).c_str());
  printf("\n");
  for (int i = 0; i < runs; ++i) {
    printf("| %3d | %10.0f |", i + 1, res.rate[0][i]);
    for (int r = 1; r < kNumRows; ++r) printf(" %8.3fx |", res.ratio[r][i]);
    printf("\n");
  }
}

// Per script: min/median/max frames/s over the runs, the median of its
// paired ratios, and what that ratio adds to the median no-script time
// per frame.
void printSummary(const Results& res) {
  printf("| %-34s | %9s | %9s | %9s | %8s | %8s |\n", "script", "min f/s", "median", "max",
         "x none", "+ns/fr");
  printf("|%s|%s|%s|%s|%s|%s|\n", dashes(36).c_str(), dashes(11).c_str(), dashes(11).c_str(),
         dashes(11).c_str(), dashes(10).c_str(), dashes(10).c_str());
  double none = median(res.rate[0]);
  for (int r = 0; r < kNumRows; ++r) {
    auto [lo, hi] = std::minmax_element(res.rate[r].begin(), res.rate[r].end());
    double x = median(res.ratio[r]);
    printf("| %-34s | %9.0f | %9.0f | %9.0f | %7.3fx | %8.0f |\n", kRows[r].name, *lo,
           median(res.rate[r]), *hi, x, (1 / x - 1) * 1e9 / none);
  }
}

void printDirection(const char* title, const Results& res, int runs) {
  printf("%s: each run's no-script rate (the median of its pairs) and each\nscript's ratio against its pair\n\n", title);
  printRuns(res, runs);
  printf("\n%s: over the runs\n\n", title);
  printSummary(res);
  printf("\n");
}

// Script r and a no-script measurement right next to it (which one goes
// first alternates with the run), in direction tx; false on a failure.
bool measurePair(Bench& b, bool tx, int r, int run, Results& res, std::vector<double>& nones) {
  double none = 0, with = 0;
  for (int k = 0; k < 2; ++k) {
    bool probed = (k + run) % 2;
    double& out = probed ? with : none;
    if ((out = b.measure(tx, probed ? r : 0)) <= 0) return false;
  }
  res.rate[r][run] = with;
  res.ratio[r][run] = with / none;
  nones.push_back(none);
  return true;
}

// Every script in both directions, `runs` times; prints the tables.
int runAll(Bench& b, int runs, size_t frameLen) {
  Results res[2] = {Results(runs), Results(runs)};  // [tx]
  auto t0 = Clock::now();
  for (int i = 0; i < runs; ++i) {
    std::vector<double> nones[2];
    for (int k = 0; k < kNumRows - 1; ++k) {
      int r = 1 + (i + k) % (kNumRows - 1);  // each run starts with another script
      for (int tx : {1, 0})
        if (!measurePair(b, tx, r, i, res[tx], nones[tx])) return 1;
    }
    for (int tx : {1, 0}) res[tx].rate[0][i] = median(nones[tx]);
  }
  double total = std::chrono::duration<double>(Clock::now() - t0).count();
  printf("MAC_SendPacket / MAC_ReceivePacket on virtio-net throughput: %llu frames of %zu bytes\n"
         "per measurement, %d runs (%.1f s); the device driven through its legacy virtio-pci\n"
         "registers and rings from a host thread, frames to a counting sink and injected into\n"
         "posted receive chains; scripts armed as vmx::LoadedScript, each counting one saw every\n"
         "frame. Each script's measurement is paired with a no-script one next to it; x none: the\n"
         "median over the runs of script / its pair; +ns/fr: what that ratio adds to the median\n"
         "no-script time per frame\n\n",
         (unsigned long long)b.frames, frameLen, runs, total);
  printDirection("transmit (MAC_SendPacket)", res[1], runs);
  printDirection("receive (MAC_ReceivePacket)", res[0], runs);
  printf("aggregate keys the scripts saw (frame length, EtherType as read little-endian):");
  for (int r = 0; r < kNumRows; ++r)
    if (!b.lastKeys[r].empty()) printf(" %s %s;", kRows[r].column, b.lastKeys[r].c_str());
  printf("\n");
  return 0;
}

}  // namespace

int main() {
  if (access("/dev/kvm", R_OK | W_OK) != 0) {
    printf("SKIP: mac_packet benchmark (no usable /dev/kvm)\n");
    return 0;
  }
  const uint64_t frames = envOr("BENCH_FRAMES", 5000);
  const int runs = int(envOr("BENCH_RUNS", 15));
  const size_t frameLen = envOr("BENCH_FRAME_BYTES", 60);
  if (frameLen < 14 || frameLen > 1514) {
    fprintf(stderr, "mac_packet: BENCH_FRAME_BYTES must be 14..1514\n");
    return 1;
  }
  vmm::VmConfig cfg;
  cfg.memMiB = 16;
  cfg.imagePath = writeImage();
  std::string err;
  auto vm = vmm::Vm::create(cfg, err);
  unlink(cfg.imagePath.c_str());
  if (!vm) {
    fprintf(stderr, "mac_packet: %s\n", err.c_str());
    return 1;
  }
  auto net = std::make_unique<VirtioNet>(0, VirtioNet::kDefaultMac);

  if (!net->valid()) {
    fprintf(stderr, "mac_packet: %s\n", net->error().c_str());
    return 1;
  }
  std::atomic<uint64_t> sunk{0};
  net->setSinkForTest([&](const uint8_t*, size_t) { sunk.fetch_add(1, std::memory_order_relaxed); });
  Interrupt irq;
  vmx::VirtioPci pci(vm->memory(), *net, kIoBase, 11, [&](unsigned, bool level) { irq.set(level); },
                     "net");
  int status = 1;
  Driver driver(*vm, pci, irq);
  if (!vm->ioBus().add(kIoBase, pci.ioSize(), &pci, err)) {
    fprintf(stderr, "mac_packet: %s\n", err.c_str());
  } else if (driver.setUp()) {
    const VirtioNet::Mac peer = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    Bench b{*vm, *net, driver, frames, frameOf(frameLen, peer, VirtioNet::kDefaultMac),
            frameOf(frameLen, VirtioNet::kDefaultMac, peer), sunk, {}};
    driver.prepare(kTx, b.txFrame);
    driver.prepare(kRx, b.rxFrame);
    status = runAll(b, runs, frameLen);
  }
  // The adapter's thread polls the queues until it stops: it goes before
  // the transport and the VM.
  net.reset();
  return status;
}
