// Guest_CR3Write: the guest image's code ranges (no KVM), and the probe on
// the demo guest, whose kernel counts every `mov cr3` it executes in
// shared_info.cr3_loads just before it: the probe fires at each one, sees
// the count already taken, and reads the new CR3 in ARG0. Also the
// warnings when there is nothing to trap.
#include <catch2/catch.hpp>
#include <cstring>
#include <elf.h>
#include <sstream>
#include <thread>

#include "demo_run.h"
#include "probe_run.h"
#include "tiny_guest.h"
#include "vmm-engine/elf_code_map.h"

using namespace vmm_test;

namespace {

constexpr uint64_t kKernelBase = 0xffffffff80000000ull;

std::vector<uint8_t> fileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// makeElf's image with a section table naming `code` as one executable
// section at kTinyBase (no symbols).
std::vector<uint8_t> withTextSection(const std::vector<uint8_t>& code) {
  std::vector<uint8_t> img = makeElf(code, kTinyBase);
  Elf64_Shdr sh[2]{};
  sh[1].sh_type = SHT_PROGBITS;
  sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  sh[1].sh_addr = kTinyBase;
  sh[1].sh_offset = 0x1000;
  sh[1].sh_size = code.size();
  Elf64_Ehdr eh;
  memcpy(&eh, img.data(), sizeof eh);
  eh.e_shoff = img.size();
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 2;
  memcpy(img.data(), &eh, sizeof eh);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(sh);
  img.insert(img.end(), p, p + sizeof sh);
  return img;
}

std::string hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

bool contains(const std::vector<std::string>& v, const std::string& text) {
  for (auto& s : v)
    if (s.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("elf code map: the demo's text cut at its symbols, constants left out", "[elf]") {
  std::string elf = demoDir() + "/demo.elf";
  auto image = fileBytes(elf);
  INFO(elf << " (run `make guest`)");
  REQUIRE(!image.empty());
  auto ranges = vmm::elfCodeRanges(image);
  auto syms = readSyms(demoDir() + "/demo.syms");
  REQUIRE(ranges.size() > 20);
  // The executable section (.text), from the section table: the ranges
  // cover it exactly, and nothing else (not .rodata, in the same segment).
  Elf64_Ehdr eh;
  memcpy(&eh, image.data(), sizeof eh);
  uint64_t textStart = 0, textEnd = 0;
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    memcpy(&sh, image.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (sh.sh_flags & SHF_EXECINSTR) textStart = sh.sh_addr, textEnd = sh.sh_addr + sh.sh_size;
  }
  CHECK(ranges.front().start == textStart);
  CHECK(ranges.back().end == textEnd);
  bool kcall = false;
  for (size_t i = 0; i < ranges.size(); ++i) {
    CHECK(ranges[i].start < ranges[i].end);
    if (i) CHECK(ranges[i - 1].end == ranges[i].start);
    kcall |= ranges[i].start == syms.at("kcall_target");
  }
  CHECK(kcall);
  // Hostile or stripped files: no ranges, no crash.
  CHECK(vmm::elfCodeRanges(std::vector<uint8_t>(image.begin(), image.begin() + 100)).empty());
  auto bad = image;
  eh.e_shoff = bad.size() - 8;
  memcpy(bad.data(), &eh, sizeof eh);
  CHECK(vmm::elfCodeRanges(bad).empty());
  CHECK(vmm::elfCodeRanges(makeElf({0x90, 0xc3}, kTinyBase)).empty());
  auto one = vmm::elfCodeRanges(withTextSection({0x90, 0x90, 0xc3}));
  REQUIRE(one.size() == 1);
  CHECK(one[0].start == kTinyBase);
  CHECK(one[0].end == kTinyBase + 3);
}

TEST_CASE("demo guest: Guest_CR3Write fires at every mov cr3 the kernel counts",
          "[kvm][demo][guest-probes]") {
  if (!kvmOrSkip("demo guest with Guest_CR3Write")) return;
  DemoRun d = startDemo("cr3-write", 2, "procs=caller,poker,pager");
  std::string err;
  REQUIRE(d.vm->start(err));
  for (int i = 0; i < 100 && slurp(d.serialPath).find("pager: cpu 1") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto syms = readSyms(demoDir() + "/demo.syms");
  // shared_info.cr3_loads[cpu] (guests/demo/kernel/defs.h)
  uint64_t loads = syms.at("shared_info") + 48;
  ProbeRun run(*d.vm);
  REQUIRE(run.load(
      "(definteger n) (definteger first) (definteger last) (definteger gaps) (definteger c)"
      "(defaggr cr3 1 0)"
      "(vprobe Guest_CR3Write"
      "  (setint c (getguest (+ " + hex(loads) + " (* 8 VCPUID))))"
      "  (cond ((== n 0) (setint first c)) ((!= c (+ last 1)) (setint gaps (+ gaps 1))))"
      "  (setint last c) (setint n (+ n 1)) (aggr cr3 (ARG0) () 1))"
      "(vprobe VMMUnload (printf \"vcpu %d n %d first %d last %d gaps %d\\n\" VCPUID n first last gaps)"
      "  (cond ((== VCPUID 0) (logaggr cr3))))"));
  CHECK(run.warnings.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  std::string out = run.unload();
  INFO(out << joined(run.reports) << slurp(d.serialPath).substr(0, 2000));
  // Per vCPU: the probe fired once per load the guest counted, none missed.
  unsigned vcpusSeen = 0;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    unsigned vcpu;
    unsigned long long n, first, last, gaps;
    if (sscanf(line.c_str(), "vcpu %u n %llu first %llu last %llu gaps %llu", &vcpu, &n, &first,
               &last, &gaps) != 5)
      continue;
    INFO(line);
    CHECK(n >= 10);
    CHECK(gaps == 0);
    CHECK(last - first + 1 == n);
    ++vcpusSeen;
  }
  CHECK(vcpusSeen == 2);
  // ARG0: the new CR3, each one a page table of the demo: page-aligned and
  // sharing the kernel half (entry 511) of kernel_pml4.
  uint64_t kernelTop = 0;
  REQUIRE(d.vm->memory().read(syms.at("kernel_pml4") - kKernelBase + 511 * 8, &kernelTop, 8));
  REQUIRE(kernelTop != 0);
  unsigned values = 0;
  std::istringstream rows(out);
  while (std::getline(rows, line)) {
    unsigned long long v;
    if (sscanf(line.c_str(), "cr3[0x%llx]", &v) != 1) continue;
    INFO(line);
    uint64_t top = 0;
    CHECK((v & 0xfff) == 0);
    CHECK(d.vm->memory().read(v + 511 * 8, &top, 8));
    CHECK(top == kernelTop);
    ++values;
  }
  CHECK(values >= 3);  // the idle task's and at least two processes'
  CHECK(run.reports.empty());
  CHECK(d.vm->breakpoints().size() == 0);
  // Unloaded: the kernel's code is demo.elf's again, byte for byte.
  auto image = fileBytes(demoDir() + "/demo.elf");
  for (auto r : vmm::elfCodeRanges(image)) {
    std::vector<uint8_t> now(r.end - r.start), want(r.end - r.start);
    REQUIRE(d.vm->memory().read(r.start - kKernelBase, now.data(), now.size()));
    REQUIRE(r.start - kKernelBase + 0x1000 - 0x100000 + want.size() <= image.size());
    memcpy(want.data(), image.data() + (r.start - kKernelBase - 0x100000 + 0x1000), want.size());
    INFO("range " << hex(r.start));
    CHECK(now == want);
  }
  std::string serial = slurp(d.serialPath);
  CHECK(serial.find("BAD") == std::string::npos);
  CHECK(serial.find("killed") == std::string::npos);
  d.vm->requestStop();
  d.vm->wait();
}

TEST_CASE("Guest_CR3Write: a warning, not a refusal, when there is nothing to trap",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("Guest_CR3Write warnings")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label loop;
  g.L(loop);
  g.pause();
  g.jmp(loop);
  for (bool sections : {false, true}) {
    auto code = codeOf(g);
    auto img = sections ? withTextSection(code) : makeElf(code, kTinyBase);
    vmm::VmConfig cfg;
    cfg.memMiB = 8;
    cfg.numVcpus = 1;
    cfg.imagePath = writeTempFile(sections ? "cr3-text.elf" : "cr3-plain.elf", img);
    std::string err;
    auto vm = vmm::Vm::create(cfg, err);
    INFO(err);
    REQUIRE(vm);
    REQUIRE(vm->start(err));
    ProbeRun run(*vm);
    bool loaded = run.load("(vprobe Guest_CR3Write 1)");
    INFO(joined(run.errors) << joined(run.warnings));
    CHECK(loaded);
    if (sections)
      CHECK(contains(run.warnings, "Guest_CR3Write: no mov-to-CR3 found in the guest's kernel text "
                                   "(1 code ranges of the guest image, " +
                                   std::to_string(code.size()) + " bytes decoded)"));
    else
      CHECK(contains(run.warnings, "Guest_CR3Write: never fires: the monitor finds mov-to-CR3"));
    run.unload();
    vm->requestStop();
    vm->wait();
  }
}
