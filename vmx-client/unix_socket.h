// Unix stream sockets for the control channel: creating the listening
// socket so that only its owner can use it, connecting, and finding out
// who is on the other end.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "vmx-client/unique_fd.h"

namespace vmx {

// Whether `path` fits in sockaddr_un::sun_path with its terminating NUL.
bool fitsSocketPath(const std::string& path);

// Creates a listening, non-blocking socket at `path` with mode 0600. Any
// file already at `path` is removed first: the caller holds the VM's lock,
// so a file there is a socket left behind by a VM process that died.
// Must be called while the process is single-threaded (it sets the umask
// around bind so that the socket never exists with a wider mode).
UniqueFd listenUnix(const std::string& path, std::string& error);

// Connects to `path`; on failure returns an invalid fd and sets `err` to
// errno (ENOENT or ECONNREFUSED: nobody is serving there).
UniqueFd connectUnix(const std::string& path, int& err);

// The uid of the process on the other end of a connected socket.
bool peerUid(int fd, uid_t& out);

// Who may talk to a VM: its owner, and root.
inline bool peerAllowed(uid_t peer, uid_t owner) {
  return peer == owner || peer == 0;
}

// Writes all of `data` to a blocking socket within `timeout`.
bool sendAll(int fd, const std::string& data, std::chrono::milliseconds timeout,
             std::string& error);

}  // namespace vmx
