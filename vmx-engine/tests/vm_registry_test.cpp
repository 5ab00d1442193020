#include <catch2/catch.hpp>

#include <unistd.h>

#include "vmx-client/tests/temp_dir.h"
#include "vmx-client/vm_lock.h"
#include "vmx-client/vm_paths.h"
#include "vmx-client/vm_registry.h"

TEST_CASE("registry: running VMs are listed in path order") {
  vmxtest::TempDir dir;
  std::string error;
  auto lockB = vmx::VmLock::acquire(dir.file("b.lck"), error);
  auto lockA = vmx::VmLock::acquire(dir.file("a.lck"), error);
  REQUIRE((lockA && lockB));
  vmx::VmRegistry reg(dir.path());
  REQUIRE(reg.add({"/vms/b.vmx", 2, "/vms/b.vmx.sock", dir.file("b.lck")}, error));
  REQUIRE(reg.add({"/vms/a.vmx", 1, "/vms/a.vmx.sock", dir.file("a.lck")}, error));
  auto vms = reg.running();
  REQUIRE(vms.size() == 2);
  CHECK(vms[0].vmx == "/vms/a.vmx");
  CHECK(vms[0].pid == 1);
  CHECK(vms[0].socket == "/vms/a.vmx.sock");
  CHECK(vms[1].vmx == "/vms/b.vmx");
  reg.remove("/vms/a.vmx");
  vms = reg.running();
  REQUIRE(vms.size() == 1);
  CHECK(vms[0].vmx == "/vms/b.vmx");
}

TEST_CASE("registry: entries of VMs that died are pruned") {
  vmxtest::TempDir dir;
  std::string error;
  vmx::VmRegistry reg(dir.path());
  REQUIRE(reg.add({"/vms/dead.vmx", 7, "/s", dir.file("dead.lck")}, error));
  std::string entry = dir.file(vmx::vmId("/vms/dead.vmx") + ".vm");
  REQUIRE(::access(entry.c_str(), F_OK) == 0);
  CHECK(reg.running().empty());
  CHECK(::access(entry.c_str(), F_OK) != 0);
}

TEST_CASE("registry: corrupt entries are pruned, other files ignored") {
  vmxtest::TempDir dir;
  dir.write("0123456789abcdef.vm", "{not json");
  dir.write("notes.txt", "keep me");
  vmx::VmRegistry reg(dir.path());
  CHECK(reg.running().empty());
  CHECK(::access(dir.file("0123456789abcdef.vm").c_str(), F_OK) != 0);
  CHECK(::access(dir.file("notes.txt").c_str(), F_OK) == 0);
}

TEST_CASE("registry: a missing directory lists nothing") {
  CHECK(vmx::VmRegistry("/nonexistent/runtime").running().empty());
}
