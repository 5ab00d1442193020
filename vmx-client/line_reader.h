// Splits a byte stream into request lines with a size limit, so that a
// client sending garbage or a huge line costs the VM process at most
// `maxLine` bytes of memory and gets an error reply instead.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmx {

class LineReader {
 public:
  explicit LineReader(size_t maxLine) : maxLine_(maxLine) {}

  enum class Status {
    Line,      // `line` holds the next complete line, without "\n" or "\r\n"
    NeedMore,  // no complete line buffered
    TooLong,   // a line passed maxLine; its bytes up to the next "\n" are
               // dropped, and reading resumes after it
  };

  void feed(std::string_view bytes);
  Status next(std::string& line);
  // At end of input: the unterminated last line, if any.
  bool takeRest(std::string& line);

 private:
  void compact();

  size_t maxLine_;
  std::string buf_;
  size_t start_ = 0;         // first unconsumed byte of buf_
  bool discarding_ = false;  // inside an oversized line
};

}  // namespace vmx
