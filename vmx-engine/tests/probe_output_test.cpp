#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <thread>

#include "vmx-engine/probe_output.h"
#include "vmx-client/tests/temp_dir.h"

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

namespace {

// Makes writes past `bytes` of any file fail with EFBIG, as a full file
// system fails them with ENOSPC (a write across the limit is short, the
// next one fails), for the life of the object.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    oldHandler_ = ::signal(SIGXFSZ, SIG_IGN);
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_) == 0);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, oldHandler_);
  }

 private:
  rlimit old_{};
  sighandler_t oldHandler_;
};

}  // namespace

TEST_CASE("output: a file that refuses writes loses whole lines, counted, and says so once it takes them again") {
  vmxtest::TempDir dir;
  auto out = openIn(dir);
  {
    FileSizeLimit limit(20);
    out->output(1, "0123456789\n");           // 11 bytes: fits
    out->output(2, "abcdefghij\nklmn\n");     // crosses the limit: both lines dropped
    out->output(3, "third line\n");
    CHECK(out->unwrittenLines() == 3);
    // Never part of a line: the file holds only what fitted whole.
    CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "0123456789\n");
    CHECK(vmxtest::readAll(dir.file("vprobe.err")).empty());
  }
  out->output(6, "after\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "0123456789\nafter\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) ==
        "vprobe: 3 lines could not be written to " + dir.file("vprobe.out") +
            " (File too large)\n");
  out->output(7, "more\n");
  CHECK(out->unwrittenLines() == 3);
  CHECK(vmxtest::readAll(dir.file("vprobe.err")).find("more") == std::string::npos);
}

TEST_CASE("output: a partial last line cut by a failing write is removed too") {
  vmxtest::TempDir dir;
  auto out = openIn(dir);
  FileSizeLimit limit(8);
  out->output(1, "one\ntwo and more\n");  // "one\n" fits whole, the rest is cut
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "one\n");
  CHECK(out->unwrittenLines() == 1);
}
