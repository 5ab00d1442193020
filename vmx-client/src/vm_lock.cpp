#include "vmx-client/vm_lock.h"

#include "vmx-client/private_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace vmx {
namespace {

// Whether `fd` is still the file at `path`: a previous holder unlinks the
// file before releasing it, and a lock on an unlinked file protects nothing.
bool stillLinked(int fd, const std::string& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string alreadyRunning(const std::string& path) {
  pid_t pid = VmLock::recordedPid(path);
  std::string who = pid > 0 ? " (pid " + std::to_string(pid) + ")" : "";
  return "The virtual machine is already running" + who;
}

// Takes the lock, allowing for isHeld() probes (a brief shared lock taken by
// `vmrun list` or `vmrun stop`) that may hold it for a moment.
bool lockSoon(int fd) {
  for (int tries = 0;; ++tries) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK || tries == 20) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::unique_ptr<VmLock> VmLock::acquire(const std::string& path,
                                        std::string& error) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    UniqueFd fd = openPrivateFile(path, O_RDWR, FileSharing{}, error);
    if (!fd) return nullptr;
    if (!lockSoon(fd.get())) {
      error = errno == EWOULDBLOCK ? alreadyRunning(path)
                                   : "cannot lock " + path + ": " + std::strerror(errno);
      return nullptr;
    }
    if (stillLinked(fd.get(), path)) {
      return std::unique_ptr<VmLock>(new VmLock(path, std::move(fd)));
    }
  }
  error = "cannot lock " + path + ": it keeps being replaced";
  return nullptr;
}

VmLock::~VmLock() { ::unlink(path_.c_str()); }

bool VmLock::record(pid_t pid, const std::string& socketPath,
                    std::string& error) {
  std::string text = std::to_string(pid) + "\n" + socketPath + "\n";
  if (::ftruncate(fd_.get(), 0) != 0 ||
      ::pwrite(fd_.get(), text.data(), text.size(), 0) !=
          static_cast<ssize_t>(text.size())) {
    error = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool VmLock::isHeld(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) return errno == EWOULDBLOCK;
  ::flock(fd.get(), LOCK_UN);
  return false;
}

bool VmLock::waitReleased(const std::string& path,
                          std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (isHeld(path)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

pid_t VmLock::recordedPid(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  char buf[32] = {};
  if (!fd || ::read(fd.get(), buf, sizeof buf - 1) <= 0) return 0;
  return static_cast<pid_t>(std::strtol(buf, nullptr, 10));
}

}  // namespace vmx
