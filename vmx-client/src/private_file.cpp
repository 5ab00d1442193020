#include "vmx-client/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmx {
namespace {

mode_t wantedMode(const FileSharing& sharing) { return sharing.withGroup ? 0640 : 0600; }

// fchmod/fchown on the open file: the name may have changed since.
bool applyMode(int fd, mode_t mode, const FileSharing& sharing, const std::string& path,
               std::string& error) {
  if (sharing.withGroup && ::fchown(fd, uid_t(-1), sharing.gid) != 0) {
    error = path + ": cannot give it to group " + sharing.groupName + ": " + std::strerror(errno);
    return false;
  }
  if (::fchmod(fd, mode) != 0) {
    error = path + ": cannot set its permissions: " + std::strerror(errno);
    return false;
  }
  return true;
}

// An existing file: whose it is and who may write it decide whether the
// VM may use it; its mode may only narrow.
bool checkExisting(int fd, const std::string& path, const FileSharing& sharing,
                   std::string& error) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path + ": not a regular file; refused";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    error = path + ": owned by another user (uid " + std::to_string(st.st_uid) +
            "); refused: remove it, or choose another path";
    return false;
  }
  if (st.st_mode & S_IWOTH) {
    error = path + ": writable by other users; refused: remove it, or chmod o-w it";
    return false;
  }
  mode_t mode = (st.st_mode & 0700 & wantedMode(sharing)) | (sharing.withGroup ? 0040 : 0);
  if ((st.st_mode & 07777) == mode && (!sharing.withGroup || st.st_gid == sharing.gid))
    return true;
  return applyMode(fd, mode, sharing, path, error);
}

}  // namespace

UniqueFd openPrivateFile(const std::string& path, int access, const FileSharing& sharing,
                         std::string& error) {
  int flags = access | O_CLOEXEC | O_NOFOLLOW;
  mode_t mode = wantedMode(sharing);
  for (int attempt = 0; attempt < 3; ++attempt) {
    UniqueFd fd(::open(path.c_str(), flags | O_CREAT | O_EXCL, mode));
    if (fd) {
      // The umask may have taken bits the sharing asks for.
      if (!applyMode(fd.get(), mode, sharing, path, error)) return UniqueFd();
      return fd;
    }
    if (errno != EEXIST) break;
    fd.reset(::open(path.c_str(), flags));
    if (fd) return checkExisting(fd.get(), path, sharing, error) ? std::move(fd) : UniqueFd();
    if (errno != ENOENT) break;  // removed in between: create it again
  }
  if (errno == ELOOP) {
    error = path + ": is a symbolic link; refused (the VM's files are never written through one)";
  } else {
    error = "cannot open " + path + ": " + std::strerror(errno);
  }
  return UniqueFd();
}

bool ownedByCaller(int fd, std::string& why) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    why = "not a regular file";
    return false;
  }
  if (::geteuid() != 0 && st.st_uid != ::geteuid()) {
    why = "owned by another user (uid " + std::to_string(st.st_uid) + ")";
    return false;
  }
  return true;
}

}  // namespace vmx
