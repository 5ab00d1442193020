// The files a VM process writes (vprobe.out, vprobe.err, vmx.log, the
// serial log, the lock) hold guest data: strings and memory that scripts
// read from the guest, the guest's console. They are the VM owner's alone.
//
// openPrivateFile() is how the VM process opens each of them:
//   - a new file is created owner-only (0600), or 0640 with the sharing
//     group when the .vmx asks for one (vprobe.outputGroup), whatever the
//     caller's umask, with O_EXCL so nothing planted in a race is used;
//   - an existing file is used only if it is a regular file (not a
//     symbolic link: O_NOFOLLOW), owned by this user and not writable by
//     others; its permissions are then narrowed to that same mode, keeping
//     the owner's bits where they are tighter (files made 0644 by older
//     versions become 0600);
//   - anything else is refused with a message that says why, and the file
//     is left as it was: nothing is written through a planted symlink or
//     into another user's file.
#pragma once

#include <sys/types.h>

#include <string>

#include "vmx-client/unique_fd.h"

namespace vmx {

// Who besides the owner may read a file: nobody, or one group.
struct FileSharing {
  bool withGroup = false;
  gid_t gid = 0;
  std::string groupName;  // for messages
};

// `access` is O_WRONLY | O_APPEND, O_RDWR, ...; O_CLOEXEC is added. Returns
// an invalid fd with `error` ("PATH: is a symbolic link; refused ...").
UniqueFd openPrivateFile(const std::string& path, int access, const FileSharing& sharing,
                         std::string& error);

// Whether a file someone else wrote may be shown to this user: a regular
// file owned by them (any file for root). `vprobe` follows only such
// output files.
bool ownedByCaller(int fd, std::string& why);

}  // namespace vmx
