#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "vmx-client/tests/temp_dir.h"
#include "vmx-client/vm_lock.h"

using namespace std::chrono_literals;

TEST_CASE("lock: a second holder is refused with the first one's pid") {
  vmxtest::TempDir dir;
  std::string path = dir.file("demo.vmx.lck"), error;
  auto first = vmx::VmLock::acquire(path, error);
  REQUIRE(first);
  REQUIRE(first->record(4242, "/x/demo.vmx.sock", error));
  CHECK(vmxtest::readAll(path) == "4242\n/x/demo.vmx.sock\n");
  CHECK(vmx::VmLock::isHeld(path));
  CHECK(vmx::VmLock::recordedPid(path) == 4242);
  CHECK_FALSE(vmx::VmLock::acquire(path, error));
  CHECK(error == "The virtual machine is already running (pid 4242)");
}

TEST_CASE("lock: releasing removes the file") {
  vmxtest::TempDir dir;
  std::string path = dir.file("a.lck"), error;
  vmx::VmLock::acquire(path, error).reset();
  CHECK(::access(path.c_str(), F_OK) != 0);
  CHECK_FALSE(vmx::VmLock::isHeld(path));
  CHECK(vmx::VmLock::waitReleased(path, 10ms));
  CHECK(vmx::VmLock::recordedPid(path) == 0);
}

TEST_CASE("lock: a stale lock file left by a dead process is taken over") {
  vmxtest::TempDir dir;
  std::string path = dir.write("a.lck", "99999\n/old.sock\n"), error;
  CHECK_FALSE(vmx::VmLock::isHeld(path));
  auto lock = vmx::VmLock::acquire(path, error);
  REQUIRE(lock);
  REQUIRE(lock->record(::getpid(), "/new.sock", error));
  CHECK(vmxtest::readAll(path) == std::to_string(::getpid()) + "\n/new.sock\n");
}

TEST_CASE("lock: a holder that dies without cleaning up frees the lock") {
  vmxtest::TempDir dir;
  std::string path = dir.file("a.lck");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    std::string error;
    auto lock = vmx::VmLock::acquire(path, error);
    char c = lock ? 'y' : 'n';
    ssize_t n = ::write(ready[1], &c, 1);
    (void)n;
    ::pause();  // killed below, without running destructors
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  CHECK(vmx::VmLock::isHeld(path));
  CHECK_FALSE(vmx::VmLock::waitReleased(path, 50ms));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK(vmx::VmLock::waitReleased(path, 2s));
  CHECK(::access(path.c_str(), F_OK) == 0);  // left behind, but free
  std::string error;
  CHECK(vmx::VmLock::acquire(path, error));
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("lock: a symlink in place of the lock file is refused") {
  vmxtest::TempDir dir;
  std::string path = dir.file("a.lck"), error;
  REQUIRE(::symlink(dir.file("elsewhere").c_str(), path.c_str()) == 0);
  CHECK_FALSE(vmx::VmLock::acquire(path, error));
  CHECK(error == path + ": is a symbolic link; refused (the VM's files are never written through one)");
  CHECK(::access(dir.file("elsewhere").c_str(), F_OK) != 0);
}
