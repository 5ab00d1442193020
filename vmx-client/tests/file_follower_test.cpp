#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

#include "vmx-client/file_follower.h"
#include "vmx-client/tests/temp_dir.h"

namespace {

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

std::string poll(vmx::FileFollower& f) {
  std::string out, error;
  REQUIRE(f.poll(out, error));
  return out;
}

}  // namespace

TEST_CASE("file follower: returns what is appended, from the end it started at") {
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "before\n");
  auto f = vmx::FileFollower::fromEnd(path);
  CHECK(poll(f).empty());
  append(path, "one\n");
  append(path, "two");
  CHECK(poll(f) == "one\ntwo");
  CHECK(poll(f).empty());
  append(path, "\n");
  CHECK(poll(f) == "\n");
  vmx::FileFollower whole(path, 0);
  CHECK(poll(whole) == "before\none\ntwo\n");
}

TEST_CASE("file follower: a file that does not exist yet is followed once it appears") {
  vmxtest::TempDir dir;
  std::string path = dir.file("vprobe.out");
  auto f = vmx::FileFollower::fromEnd(path);
  CHECK(poll(f).empty());
  append(path, "first\n");
  CHECK(poll(f) == "first\n");
}

TEST_CASE("file follower: a replaced file is finished, then read from its start") {
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "");
  auto f = vmx::FileFollower::fromEnd(path);
  append(path, "old tail\n");
  // Deleted and recreated, as the VM process does at the next load.
  REQUIRE(::unlink(path.c_str()) == 0);
  append(path, "new file\n");
  CHECK(poll(f) == "old tail\nnew file\n");
  append(path, "more\n");
  CHECK(poll(f) == "more\n");
}

TEST_CASE("file follower: a truncated file is read again from its start") {
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "a long first line\n");
  auto f = vmx::FileFollower::fromEnd(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "short\n";
  CHECK(poll(f) == "short\n");
}
