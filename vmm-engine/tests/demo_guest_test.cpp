// Boots the demo guest (guests/demo, built by `make guest`) for a few
// seconds and checks that every process works and that probes can find
// the current process the way the VP reference's curprocname does.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

#include "booted.h"
#include "demo_run.h"
#include "vmm-engine/hooks.h"

using namespace vmm_test;

namespace {

// Task layout documented in guests/demo/README.md.
constexpr uint64_t kPidOffset = 0x1a8, kCommOffset = 0x3f0;

struct DemoProbes : vmm::VmmHooks {
  std::mutex mu;
  std::set<std::string> names;     // curprocname at Guest_IRQ
  std::set<int> pids;              // curpid at Guest_IRQ
  std::map<int, uint64_t> vectors;
  uint64_t out80 = 0, out80User = 0, lookups = 0, badLookups = 0;
  uint64_t getpidAddr = 0;
  bool getpidShapeOk = false;

  void onInterrupt(vmm::Vcpu& v, uint8_t vector) override {
    std::lock_guard l(mu);
    vectors[vector]++;
    if (lookups < 400) curproc(v);
    if (getpidAddr && !getpidShapeOk) {
      // mov 0x1a8(%rax),%eax then pop %rbp; ret (README.md).
      uint8_t code[19];
      getpidShapeOk = v.readLinear(getpidAddr, code, sizeof code) &&
                      !memcmp(code + 13, "\x8b\x80\xa8\x01\x00\x00", 6);
    }
  }
  // The reference's curthrptra, curpid and curprocname.
  void curproc(vmm::Vcpu& v) {
    const vmm::SpecialRegs* s = v.sregs();
    const uint64_t* kgs = v.kernelGsBase();
    if (!s || !kgs) return;
    uint64_t pcpu = s->gs.base >= 0x100000000ull ? s->gs.base : *kgs;
    uint64_t task = 0;
    int32_t pid = -1;
    char comm[17] = {};
    ++lookups;
    if (!v.readLinear(pcpu, &task, 8) ||
        !v.readLinear(task + kPidOffset, &pid, 4) ||
        !v.readLinear(task + kCommOffset, comm, 16)) {
      ++badLookups;
      return;
    }
    names.insert(comm);
    pids.insert(pid);
  }
  void onIo(vmm::Vcpu& v, bool in, uint16_t port, unsigned,
            uint32_t) override {
    if (in || port != 0x80) return;
    std::lock_guard l(mu);
    if (++out80 <= 50) {
      const vmm::SpecialRegs* s = v.sregs();
      if (s && (s->cs.selector & 3) == 3) ++out80User;
    }
  }
};

struct DiskCounter : vmx::DiskHooks {
  std::atomic<uint64_t> starts{0}, finishes{0};
  void onIoStart(const vmx::DiskIoEvent&) override { starts++; }
  void onIoFinish(const vmx::DiskIoEvent&) override { finishes++; }
};

const char* const kReports[] = {
    "sysloop: pid", "disker: pid", "porter: pid", "pager: pid",
    "cruncher: pid", " syscalls\n", "disker: wrote+verified sector",
    " port writes, ", " pages faulted in and unmapped\n",
    "cruncher: ",
};

bool allReported(const std::string& log) {
  for (const char* r : kReports)
    if (log.find(r) == std::string::npos) return false;
  return log.find(" iterations in 1 s\n") != std::string::npos;
}

void bootMix(unsigned vcpus) {
  DemoRun r = startDemo("demo" + std::to_string(vcpus), vcpus, "");
  DemoProbes probes;
  probes.getpidAddr = readSyms(demoDir() + "/demo.syms")["sys_getpid"];
  REQUIRE(probes.getpidAddr != 0);
  DiskCounter disk;
  r.vm->setHooks(&probes);
  r.devs->disk()->setHooks(&disk);
  std::string err;
  REQUIRE(r.vm->start(err));
  std::string log;
  // Under emulation one process (porter's exits are slow) can hold the CPU
  // at most interrupts of the first second: wait for a second name too.
  auto namesSeen = [&probes] {
    std::lock_guard l(probes.mu);
    return probes.names.size();
  };
  for (int i = 0; i < 80 && !(allReported(log) && namesSeen() >= 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    log = slurp(r.serialPath);
  }
  r.vm->setHooks(nullptr);  // removing hooks from running vCPUs
  r.devs->disk()->setHooks(nullptr);
  r.vm->requestStop();
  vmm::StopInfo si = r.vm->wait();
  log = slurp(r.serialPath);
  INFO("serial log:\n" << log << "\nexits: " << r.vm->counts().summary());
  CHECK(si.reason == vmm::StopReason::StopRequest);
  for (const char* rep : kReports) CHECK(log.find(rep) != std::string::npos);
  CHECK(log.find("iterations in 1 s") != std::string::npos);
  CHECK(log.find("kernel: killed") == std::string::npos);
  CHECK(log.find("MISMATCH") == std::string::npos);
  CHECK(log.find("PANIC") == std::string::npos);
  for (unsigned c = 0; c < vcpus; ++c)
    CHECK(log.find("kernel: cpu " + std::to_string(c) + " up") !=
          std::string::npos);
  // Port I/O from user mode, disk I/O with its probes, timer and disk
  // interrupts, the current process found through GS.
  CHECK(probes.out80 > 100);
  CHECK(probes.out80User > 0);
  CHECK(disk.starts > 0);
  CHECK(disk.finishes >= disk.starts - 1);
  CHECK(probes.vectors[32] > 50);
  CHECK(probes.vectors[33] > 0);
  CHECK(probes.badLookups == 0);
  CHECK(probes.names.size() >= 2);
  for (const std::string& n : probes.names)
    CHECK(std::set<std::string>{"idle", "sysloop", "disker", "porter",
                                "pager", "cruncher"}
              .count(n) == 1);
  for (int pid : probes.pids) CHECK((pid >= 0 && pid <= 5));
  CHECK(probes.getpidShapeOk);
}

}  // namespace

TEST_CASE("the demo guest runs its processes on one vCPU", "[kvm][demo]") {
  if (!kvmOrSkip("demo guest, 1 vCPU")) return;
  bootMix(1);
}

TEST_CASE("the demo guest runs its processes on two vCPUs", "[kvm][demo]") {
  if (!kvmOrSkip("demo guest, 2 vCPUs")) return;
  bootMix(2);
}

TEST_CASE("the demo guest's triplefault option ends the VM", "[kvm][demo]") {
  if (!kvmOrSkip("demo guest, triplefault")) return;
  DemoRun r = startDemo("demotf", 2, "triplefault");
  vmm::StopInfo si;
  std::string err;
  REQUIRE(r.vm->start(err));
  REQUIRE(r.vm->waitFor(std::chrono::seconds(10), si));
  CHECK(si.describe() == "triple fault");
  r.devs.reset();
  CHECK(slurp(r.serialPath).find("kernel: triple fault requested\n") !=
        std::string::npos);
}
