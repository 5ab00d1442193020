#include "vmx-client/line_reader.h"

namespace vmx {

void LineReader::feed(std::string_view bytes) {
  compact();
  buf_.append(bytes);
}

void LineReader::compact() {
  buf_.erase(0, start_);
  start_ = 0;
}

LineReader::Status LineReader::next(std::string& line) {
  for (;;) {
    size_t nl = buf_.find('\n', start_);
    if (discarding_) {
      if (nl == std::string::npos) {
        buf_.clear();
        start_ = 0;
        return Status::NeedMore;
      }
      start_ = nl + 1;
      discarding_ = false;
      continue;
    }
    size_t available = (nl == std::string::npos ? buf_.size() : nl) - start_;
    if (available > maxLine_) {
      discarding_ = true;
      return Status::TooLong;
    }
    if (nl == std::string::npos) return Status::NeedMore;
    line.assign(buf_, start_, nl - start_);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start_ = nl + 1;
    return Status::Line;
  }
}

bool LineReader::takeRest(std::string& line) {
  if (discarding_ || start_ >= buf_.size()) return false;
  line.assign(buf_, start_, std::string::npos);
  buf_.clear();
  start_ = 0;
  return true;
}

}  // namespace vmx
