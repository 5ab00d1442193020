#include "vmx-client/file_follower.h"

#include "vmx-client/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmx {

FileFollower FileFollower::fromEnd(std::string path) {
  struct stat st {};
  uint64_t end = ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return FileFollower(std::move(path), end);
}

FileFollower::FileFollower(std::string path, uint64_t offset)
    : path_(std::move(path)), offset_(offset) {
  std::string ignored;  // poll() says it again
  open(ignored);
}

// Only what the caller's own VM wrote is shown: a symlink or another
// user's file planted at the path is refused, not followed.
bool FileFollower::open(std::string& error) {
  error.clear();
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ELOOP) error = path_ + ": is a symbolic link; not shown";
    return false;
  }
  std::string why;
  if (!ownedByCaller(fd.get(), why)) {
    error = path_ + ": " + why + "; not shown";
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return false;
  fd_ = std::move(fd);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return true;
}

bool FileFollower::drain(std::string& out, std::string& error) {
  struct stat st {};
  if (::fstat(fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) < offset_) {
    offset_ = 0;  // truncated: what is there now is new
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read " + path_ + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
    offset_ += static_cast<uint64_t>(n);
  }
}

bool FileFollower::poll(std::string& out, std::string& error) {
  if (!fd_) {
    if (!open(error)) return error.empty();  // empty: not created yet
  }
  if (!drain(out, error)) return false;
  // Replaced (deleted, then recreated by the next load)? Finish the old
  // file above, then start the new one from its beginning.
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0 || (st.st_dev == dev_ && st.st_ino == ino_)) return true;
  fd_.reset();
  offset_ = 0;
  if (!open(error)) return error.empty();
  return drain(out, error);
}

}  // namespace vmx
