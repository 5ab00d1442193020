// needs: kvm
// The cost of Guest_CR3Write on the context-switch rate, as ratios
// against no script, measured in one run.
//
// The demo guest's `bench=yield` workload (two `yielder` processes per
// CPU, one vCPU here) switches context at every `yield`, and every switch
// loads CR3; the kernel counts each `mov cr3` in shared_info.cr3_loads
// (guests/demo/kernel/defs.h), which this bench reads from guest memory
// over a few seconds of wall time: CR3 loads per second with no script,
// with an empty `Guest_CR3Write` probe, with one that updates an
// aggregate keyed by the new CR3 (ARG0), and, for comparison, with a
// plain `GUEST:` probe on `schedule` (also once per yield, an emulated
// `mov`): the difference is what loading the new CR3 costs (a
// KVM_SET_SREGS that changes CR3 resets the vCPU's MMU in KVM). The
// figure is the median of BENCH_SAMPLES (5) one-second windows.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/vm.h"
#include "vmm-engine/vmm_probes.h"
#include "vmx-engine/devices.h"
#include "vp/vp.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kKernelBase = 0xffffffff80000000ull;
constexpr uint64_t kCr3LoadsOffset = 48;  // in struct shared_info

class NullSink : public vp::Sink {
 public:
  void output(uint64_t, std::string_view) override {}
  void error(uint64_t, std::string_view) override {}
};

uint64_t demoSymbol(const std::string& name) {
  std::ifstream f("guests/demo/demo.syms");
  std::string addr, type, sym;
  while (f >> addr >> type >> sym)
    if (sym == name) return std::stoull(addr, nullptr, 16);
  return 0;
}

struct Armed {
  std::unique_ptr<vp::Script> script;
  std::unique_ptr<vmm::VmmProbes> probes;
};

Armed arm(vmm::Vm& vm, const std::string& src, vp::Sink& sink) {
  Armed a;
  std::vector<vp::Diagnostic> diags;
  a.script = vp::Script::load(src, "bench.vp", vp::Options{}, sink, diags);
  vmm::GuestProbePlan plan;
  if (a.script) plan = vmm::planGuestProbes(vm, *a.script, "bench.vp", diags);
  for (auto& d : diags) fprintf(stderr, "%s\n", d.render(src).c_str());
  if (!a.script || !diags.empty()) return {};
  a.probes = std::make_unique<vmm::VmmProbes>(vm, *a.script, [] {}, std::move(plan));
  a.probes->load();
  return a;
}

// CR3 loads per second on vCPU 0, median of `samples` one-second windows.
double cr3Rate(vmm::Vm& vm, uint64_t counterGpa, int samples) {
  std::vector<double> rates;
  auto read = [&] {
    uint64_t v = 0;
    vm.memory().read(counterGpa, &v, sizeof v);
    return v;
  };
  for (int i = 0; i < samples; ++i) {
    uint64_t n0 = read();
    auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    uint64_t n1 = read();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    rates.push_back(double(n1 - n0) / secs);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main() {
  if (access("/dev/kvm", R_OK | W_OK) != 0) {
    printf("SKIP: cr3_write benchmark (no usable /dev/kvm)\n");
    return 0;
  }
  uint64_t info = demoSymbol("shared_info");
  if (access("guests/demo/demo.elf", R_OK) != 0 || !info) {
    printf("SKIP: cr3_write benchmark (no guests/demo/demo.elf or demo.syms: make guest)\n");
    return 0;
  }
  int samples = 5;
  if (const char* s = getenv("BENCH_SAMPLES")) samples = std::max(1, atoi(s));
  vmm::VmConfig cfg;
  cfg.memMiB = 64;
  cfg.numVcpus = 1;
  cfg.imagePath = "guests/demo/demo.elf";
  cfg.cmdline = "bench=yield";
  std::string err, log = "/tmp/cr3_write_bench." + std::to_string(getpid()) + ".serial.log";
  auto vm = vmm::Vm::create(cfg, err);
  vmx::DeviceConfig dc;
  dc.serialLog = log;
  std::unique_ptr<vmx::DeviceSet> devs;
  if (vm) devs = vmx::DeviceSet::attach(*vm, dc, err);
  if (!vm || !devs || !vm->start(err)) {
    fprintf(stderr, "cr3_write: demo guest: %s\n", err.c_str());
    return 1;
  }
  uint64_t counter = info - kKernelBase + kCr3LoadsOffset;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // past the boot
  NullSink sink;
  constexpr int kRows = 4;
  char onSchedule[64];
  snprintf(onSchedule, sizeof onSchedule, "(vprobe GUEST:0x%llx)",
           (unsigned long long)demoSymbol("schedule"));
  const char* names[kRows] = {"no script", "Guest_CR3Write, empty",
                              "Guest_CR3Write, aggr by ARG0", "GUEST: on schedule, empty"};
  const char* scripts[kRows] = {nullptr, "(vprobe Guest_CR3Write)",
                                "(defaggr a 1 0) (vprobe Guest_CR3Write (aggr a (ARG0) () 1))",
                                onSchedule};
  double rate[kRows] = {};
  uint64_t hits[kRows] = {};
  for (int i = 0; i < kRows; ++i) {
    Armed a;
    if (scripts[i] && !(a = arm(*vm, scripts[i], sink)).probes) return 1;
    rate[i] = cr3Rate(*vm, counter, samples);
    if (a.probes) {
      hits[i] = a.probes->guestProbes()->hits();
      a.probes->unload();
    }
  }
  vm->requestStop();
  vm->wait();
  unlink(log.c_str());
  printf("Guest_CR3Write on the context-switch rate: demo guest, bench=yield, 1 vCPU\n");
  printf("(guest probe stops: %s; median of %d one-second windows of the\n"
         "guest's own CR3-load count)\n\n",
         vm->breakpointSupport().describe(), samples);
  printf("| %-30s | %14s | %10s | %10s |\n", "script", "CR3 loads/s", "probe hits", "x none");
  printf("|%s|%s|%s|%s|\n", std::string(32, '-').c_str(), std::string(16, '-').c_str(),
         std::string(12, '-').c_str(), std::string(12, '-').c_str());
  for (int i = 0; i < kRows; ++i)
    printf("| %-30s | %14.0f | %10llu | %9.2fx |\n", names[i], rate[i],
           (unsigned long long)hits[i], rate[0] > 0 ? rate[i] / rate[0] : 0);
  if (rate[1] > 0 && rate[3] > 0 && rate[0] > 0)
    printf("\nper CR3 write: %.1f us with Guest_CR3Write, %.1f us for a plain GUEST: hit, %.2f us "
           "without probes\n",
           1e6 / rate[1], 1e6 / rate[3], 1e6 / rate[0]);
  return 0;
}
