// Test support: the demo guest (guests/demo, built by `make guest`)
// booted in a VM with the platform's devices, and its symbol map.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <unistd.h>

#include "booted.h"

namespace vmm_test {

inline std::string demoDir() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string p = n > 0 ? std::string(exe, size_t(n)) : "";
  // build/tests/vmm-engine_tests -> repository root
  for (int i = 0; i < 3 && !p.empty(); ++i) p = p.substr(0, p.rfind('/'));
  return p + "/guests/demo";
}

inline std::map<std::string, uint64_t> readSyms(const std::string& path) {
  std::map<std::string, uint64_t> m;
  std::ifstream f(path);
  std::string addr, type, name;
  while (f >> addr >> type >> name) m[name] = std::stoull(addr, nullptr, 16);
  return m;
}

struct DemoRun {
  std::unique_ptr<vmm::Vm> vm;
  std::unique_ptr<vmx::DeviceSet> devs;
  std::string serialPath;
};

// The demo guest with `vcpus` vCPUs and `cmdline`, not started yet;
// `preferHltStops` as in vmm::VmConfig.
inline DemoRun startDemo(const std::string& name, unsigned vcpus, const std::string& cmdline,
                         bool preferHltStops = false) {
  DemoRun r;
  vmm::VmConfig cfg;
  cfg.preferHltStops = preferHltStops;
  cfg.memMiB = 64;
  cfg.numVcpus = vcpus;
  cfg.imagePath = demoDir() + "/demo.elf";
  cfg.cmdline = cmdline;
  cfg.diskSectors = 16 * 2048;
  INFO("demo guest image " << cfg.imagePath << " (run `make guest`)");
  REQUIRE(access(cfg.imagePath.c_str(), R_OK) == 0);
  std::string err;
  r.vm = vmm::Vm::create(cfg, err);
  INFO(err);
  REQUIRE(r.vm);
  vmx::DeviceConfig dc;
  dc.serialLog = r.serialPath = tempDir() + "/" + name + ".serial.log";
  dc.diskPath = tempDir() + "/" + name + ".disk.img";
  dc.diskSectors = cfg.diskSectors;
  std::remove(dc.serialLog.c_str());
  std::remove(dc.diskPath.c_str());
  r.devs = vmx::DeviceSet::attach(*r.vm, dc, err);
  INFO(err);
  REQUIRE(r.devs);
  return r;
}

}  // namespace vmm_test
