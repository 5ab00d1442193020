// Follows a file that another process appends to, as `tail -f` does: each
// poll() returns the bytes added since the last one. `vprobe` follows the
// VM's vprobe.out and vprobe.err with it while its script runs.
//
// The VM process may not have created the file yet (it appears at the
// first load), and it recreates a deleted file at the next load
// (probe_output.h): when the path names a new file, the rest of the old
// one is read first, then the new one from its start. A file truncated
// under the follower is read again from its start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "vmx-client/unique_fd.h"

namespace vmx {

class FileFollower {
 public:
  // Follows `path` from its current end: bytes already there are not
  // returned.
  static FileFollower fromEnd(std::string path);
  // Follows `path` from byte `offset` (0: the whole file).
  FileFollower(std::string path, uint64_t offset);

  // Appends to `out` every byte added since the last poll. False with
  // `error` when reading fails, or when the path is a symbolic link or
  // another user's file (private_file.h: ownedByCaller); not when the file
  // is absent: that is "nothing yet".
  bool poll(std::string& out, std::string& error);

  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  bool open(std::string& error);
  bool drain(std::string& out, std::string& error);

  std::string path_;
  uint64_t offset_ = 0;
  UniqueFd fd_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace vmx
