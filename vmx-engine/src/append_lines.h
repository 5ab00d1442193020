// Appending whole lines to a file that may fail part way: a full file
// system (ENOSPC), a quota (EDQUOT), a size limit (EFBIG), an I/O error.
// Probe output must never stop the guest, so what does not fit is
// dropped; but it is dropped in whole lines, so that a reader of the file
// never sees half a line followed by an unrelated one once space returns.
#pragma once

#include <cstdint>
#include <string_view>

namespace vmx {

struct AppendResult {
  uint64_t unwrittenLines = 0;  // lines (or a last partial line) not in the file
  int error = 0;                // errno of the failed write; 0 when all went in
};

// Appends `text` (whole lines) to `fd`, opened with O_APPEND by a single
// writer. When a write fails after part of `text` went in, the file is cut
// back to the end of the last whole line written.
AppendResult appendLines(int fd, std::string_view text);

}  // namespace vmx
