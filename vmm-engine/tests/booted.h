// Test support: a tiny guest booted with the platform's devices.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "tiny_guest.h"
#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"

namespace vmm_test {

struct Booted {
  std::unique_ptr<vmm::Vm> vm;
  std::unique_ptr<vmx::DeviceSet> devs;
};

// Creates a VM running `code` with the standard devices.
inline Booted boot(const std::string& name, const Xbyak::CodeGenerator& g,
            unsigned vcpus = 1, uint64_t diskSectors = 0, bool preferHltStops = false) {
  vmm::VmConfig cfg;
  cfg.preferHltStops = preferHltStops;
  cfg.memMiB = 8;
  cfg.numVcpus = vcpus;
  cfg.imagePath = writeTempFile(name + ".elf", makeElf(codeOf(g), kTinyBase));
  cfg.diskSectors = diskSectors;
  std::string err;
  Booted b;
  b.vm = vmm::Vm::create(cfg, err);
  INFO(err);
  REQUIRE(b.vm);
  vmx::DeviceConfig dc;
  dc.serialLog = tempDir() + "/" + name + ".serial.log";
  std::remove(dc.serialLog.c_str());
  if (diskSectors) {
    dc.diskPath = tempDir() + "/" + name + ".disk.img";
    std::remove(dc.diskPath.c_str());
    dc.diskSectors = diskSectors;
  }
  b.devs = vmx::DeviceSet::attach(*b.vm, dc, err);
  INFO(err);
  REQUIRE(b.devs);
  return b;
}

inline vmm::StopInfo runToEnd(Booted& b, int timeoutMs = 10000) {
  std::string err;
  REQUIRE(b.vm->start(err));
  vmm::StopInfo si;
  if (!b.vm->waitFor(std::chrono::milliseconds(timeoutMs), si)) {
    b.vm->requestStop();
    si = b.vm->wait();
    FAIL("guest did not stop in time: " << b.vm->counts().summary());
  }
  return si;
}

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace vmm_test
