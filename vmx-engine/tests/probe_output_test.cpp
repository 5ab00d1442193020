#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>

#include "vmx-engine/probe_output.h"
#include "vmx-engine/tests/temp_dir.h"

namespace {

std::unique_ptr<vmx::ProbeOutput> openIn(const vmxtest::TempDir& dir) {
  std::string error;
  auto out = vmx::ProbeOutput::open(dir.file("vprobe.out"), dir.file("vprobe.err"), {}, error);
  REQUIRE(out);
  return out;
}

}  // namespace

TEST_CASE("output: lines are in the files as soon as they are written") {
  vmxtest::TempDir dir;
  auto out = openIn(dir);
  out->output(1, "hello!\n");
  out->error(2, "probe VMM1Hz: division by zero");
  out->error(3, "second\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "hello!\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) ==
        "probe VMM1Hz: division by zero\nsecond\n");
}

TEST_CASE("output: existing files are appended to") {
  vmxtest::TempDir dir;
  dir.write("vprobe.out", "old run\n");
  auto out = openIn(dir);
  out->output(1, "new run\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "old run\nnew run\n");
}

TEST_CASE("output: a deleted or renamed file is recreated on request") {
  vmxtest::TempDir dir;
  auto out = openIn(dir);
  out->output(1, "one\n");
  std::string error;
  REQUIRE(out->reopenIfDeleted(error));
  out->output(1, "two\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "one\ntwo\n");

  REQUIRE(::unlink(dir.file("vprobe.out").c_str()) == 0);
  REQUIRE(::rename(dir.file("vprobe.err").c_str(), dir.file("old.err").c_str()) == 0);
  REQUIRE(out->reopenIfDeleted(error));
  out->output(1, "three\n");
  out->error(1, "e");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "three\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) == "e\n");
  CHECK(vmxtest::readAll(dir.file("old.err")).empty());
}

TEST_CASE("output: an unopenable file is an error naming it") {
  std::string error;
  CHECK_FALSE(vmx::ProbeOutput::open("/nonexistent/dir/vprobe.out", "/tmp/x.err", {}, error));
  CHECK(error == "cannot open /nonexistent/dir/vprobe.out: No such file or directory");
}

TEST_CASE("output: lines from concurrent threads never interleave") {
  vmxtest::TempDir dir;
  auto out = openIn(dir);
  std::string a(200, 'a'), b(200, 'b');
  auto writer = [&](const std::string& text) {
    for (int i = 0; i < 500; ++i) out->output(0, text + "\n" + text + "\n");
  };
  std::thread t1(writer, a), t2(writer, b);
  t1.join();
  t2.join();
  std::string all = vmxtest::readAll(dir.file("vprobe.out"));
  CHECK(all.size() == 2000 * 201);
  size_t pos = 0;
  while (pos < all.size()) {
    std::string line = all.substr(pos, 201);
    REQUIRE((line == a + "\n" || line == b + "\n"));
    pos += 201;
  }
}
