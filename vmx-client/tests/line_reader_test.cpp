#include <catch2/catch.hpp>

#include "vmx-client/line_reader.h"

using Status = vmx::LineReader::Status;

TEST_CASE("line reader: lines arrive whole, across feeds, without CR") {
  vmx::LineReader r(100);
  std::string line;
  r.feed("ab");
  CHECK(r.next(line) == Status::NeedMore);
  r.feed("c\r\nde\n\nf");
  REQUIRE(r.next(line) == Status::Line);
  CHECK(line == "abc");
  REQUIRE(r.next(line) == Status::Line);
  CHECK(line == "de");
  REQUIRE(r.next(line) == Status::Line);
  CHECK(line.empty());
  CHECK(r.next(line) == Status::NeedMore);
  REQUIRE(r.takeRest(line));
  CHECK(line == "f");
  CHECK_FALSE(r.takeRest(line));
}

TEST_CASE("line reader: an oversized line is reported once and skipped") {
  vmx::LineReader r(8);
  std::string line;
  r.feed("123456789");  // no newline yet, already too long
  CHECK(r.next(line) == Status::TooLong);
  CHECK(r.next(line) == Status::NeedMore);
  r.feed(std::string(1000, 'x'));
  CHECK(r.next(line) == Status::NeedMore);
  r.feed("yy\nok\n");
  REQUIRE(r.next(line) == Status::Line);
  CHECK(line == "ok");
  CHECK_FALSE(r.takeRest(line));
}

TEST_CASE("line reader: a line of exactly the limit passes") {
  vmx::LineReader r(4);
  std::string line;
  r.feed("1234\n12345\n");
  REQUIRE(r.next(line) == Status::Line);
  CHECK(line == "1234");
  CHECK(r.next(line) == Status::TooLong);
  CHECK(r.next(line) == Status::NeedMore);
}

TEST_CASE("line reader: a partial oversized line at end of input is dropped") {
  vmx::LineReader r(4);
  std::string line;
  r.feed("123456");
  CHECK(r.next(line) == Status::TooLong);
  CHECK_FALSE(r.takeRest(line));
}
