#include "vmx-engine/src/append_lines.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vmx {
namespace {

uint64_t countLines(std::string_view text) {
  uint64_t n = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  // A last line without its newline is a line too.
  return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// Removes the `partial` bytes just written after the last whole line. With
// O_APPEND the file offset is the end of our last write.
void cutBack(int fd, size_t partial) {
  if (partial == 0) return;
  off_t end = ::lseek(fd, 0, SEEK_CUR);
  if (end >= static_cast<off_t>(partial)) {
    int ignored = ::ftruncate(fd, end - static_cast<off_t>(partial));
    (void)ignored;  // nothing more can be done for a file that refuses even this
  }
}

}  // namespace

AppendResult appendLines(int fd, std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : ENOSPC;  // a write of 0 bytes made no progress
      size_t lineEnd = text.substr(0, done).rfind('\n');
      size_t keep = lineEnd == std::string_view::npos ? 0 : lineEnd + 1;
      cutBack(fd, done - keep);
      return {countLines(text.substr(keep)), error};
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace vmx
