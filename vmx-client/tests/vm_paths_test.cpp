#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmx-client/tests/temp_dir.h"
#include "vmx-client/vm_paths.h"

TEST_CASE("paths: the VM's files live beside the .vmx") {
  vmx::VmPaths p = vmx::vmPathsFor("/vms/demo/demo.vmx", "/run/user/1/vprobes");
  CHECK(p.vmx == "/vms/demo/demo.vmx");
  CHECK(p.dir == "/vms/demo");
  CHECK(p.lock == "/vms/demo/demo.vmx.lck");
  CHECK(p.socket == "/vms/demo/demo.vmx.sock");
  CHECK_FALSE(p.socketInRuntimeDir);
  CHECK(p.log == "/vms/demo/vmx.log");
  CHECK(p.registryEntry == "/run/user/1/vprobes/" + vmx::vmId("/vms/demo/demo.vmx") + ".vm");
}

TEST_CASE("paths: a socket path too long for sun_path moves to the runtime directory") {
  std::string longDir = "/vms/" + std::string(120, 'd');
  vmx::VmPaths p = vmx::vmPathsFor(longDir + "/demo.vmx", "/run/vp");
  CHECK(p.socketInRuntimeDir);
  CHECK(p.socket == "/run/vp/" + vmx::vmId(longDir + "/demo.vmx") + ".sock");
  CHECK(p.lock == longDir + "/demo.vmx.lck");
  // The longest path that still fits stays beside the .vmx.
  std::string fits = "/" + std::string(107 - 1 - 6 - 5, 'x') + "/a.vmx";  // + ".sock"
  CHECK(fits.size() + 5 == 107);
  CHECK_FALSE(vmx::vmPathsFor(fits, "/r").socketInRuntimeDir);
  CHECK(vmx::vmPathsFor("/" + fits, "/r").socketInRuntimeDir);
}

TEST_CASE("paths: ids are stable and differ per VM") {
  CHECK(vmx::vmId("/a.vmx") == vmx::vmId("/a.vmx"));
  CHECK(vmx::vmId("/a.vmx") != vmx::vmId("/b.vmx"));
  CHECK(vmx::vmId("/a.vmx").size() == 16);
}

TEST_CASE("paths: the runtime directory comes from the environment") {
  std::string savedOwn = ::getenv("VPROBE_RUNTIME_DIR") ? ::getenv("VPROBE_RUNTIME_DIR") : "";
  std::string savedXdg = ::getenv("XDG_RUNTIME_DIR") ? ::getenv("XDG_RUNTIME_DIR") : "";
  ::setenv("VPROBE_RUNTIME_DIR", "/mine", 1);
  ::setenv("XDG_RUNTIME_DIR", "/run/user/5", 1);
  CHECK(vmx::defaultRuntimeDir() == "/mine");
  ::unsetenv("VPROBE_RUNTIME_DIR");
  CHECK(vmx::defaultRuntimeDir() == "/run/user/5/vprobes");
  ::unsetenv("XDG_RUNTIME_DIR");
  CHECK(vmx::defaultRuntimeDir() == "/tmp/vprobes-" + std::to_string(::geteuid()));
  if (!savedOwn.empty()) ::setenv("VPROBE_RUNTIME_DIR", savedOwn.c_str(), 1);
  if (!savedXdg.empty()) ::setenv("XDG_RUNTIME_DIR", savedXdg.c_str(), 1);
}

TEST_CASE("paths: the runtime directory must be private") {
  vmxtest::TempDir dir;
  std::string error, rt = dir.file("rt");
  REQUIRE(vmx::prepareRuntimeDir(rt, error));
  struct stat st {};
  REQUIRE(::stat(rt.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(vmx::prepareRuntimeDir(rt, error));  // again: fine

  REQUIRE(::chmod(rt.c_str(), 0755) == 0);
  CHECK_FALSE(vmx::prepareRuntimeDir(rt, error));
  CHECK(error == "refusing to use " + rt + ": it must be a directory owned by you with mode 0700");

  std::string link = dir.file("link");
  REQUIRE(::chmod(rt.c_str(), 0700) == 0);
  REQUIRE(::symlink(rt.c_str(), link.c_str()) == 0);
  CHECK_FALSE(vmx::prepareRuntimeDir(link, error));
  CHECK_FALSE(vmx::prepareRuntimeDir("/nonexistent/a/b", error));
  CHECK(error == "cannot create /nonexistent/a/b: No such file or directory");
}

TEST_CASE("paths: canonical paths resolve . and symlinks") {
  vmxtest::TempDir dir;
  dir.write("a.vmx", "");
  REQUIRE(::symlink(dir.file("a.vmx").c_str(), dir.file("b.vmx").c_str()) == 0);
  std::string out, error;
  REQUIRE(vmx::canonicalPath(dir.path() + "/./b.vmx", out, error));
  CHECK(out == dir.file("a.vmx"));
  CHECK_FALSE(vmx::canonicalPath(dir.file("none.vmx"), out, error));
  CHECK(error == "No such file or directory");
}
