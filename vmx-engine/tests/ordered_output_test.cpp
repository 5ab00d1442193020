#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "vmx-engine/ordered_output.h"
#include "vmx-client/tests/temp_dir.h"

using namespace std::chrono_literals;

namespace {

std::unique_ptr<vmx::ProbeOutput> filesIn(const vmxtest::TempDir& dir) {
  std::string error;
  auto files = vmx::ProbeOutput::open(dir.file("vprobe.out"), dir.file("vprobe.err"), {}, error);
  REQUIRE(files);
  return files;
}

}  // namespace

TEST_CASE("ordered output: a batch comes out in TSC order, errors to vprobe.err") {
  vmxtest::TempDir dir;
  auto files = filesIn(dir);
  vmx::OrderedOutput out(*files, vp::OrderedSink::kDefaultBufferBytes, 1h);  // flushed by hand only
  out.sink().output(30, "vcpu1 at 30\n");
  out.sink().output(10, "vcpu0 at 10\n");
  out.sink().error(20, "vcpu2: error at 20");
  out.sink().output(10, "vcpu0 again at 10\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")).empty());
  out.flush();
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) ==
        "vcpu0 at 10\nvcpu0 again at 10\nvcpu1 at 30\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) == "vcpu2: error at 20\n");
}

TEST_CASE("ordered output: lines reach the file within 100 ms without a flush") {
  vmxtest::TempDir dir;
  auto files = filesIn(dir);
  vmx::OrderedOutput out(*files);
  auto start = std::chrono::steady_clock::now();
  out.sink().output(1, "hello!\n");
  while (vmxtest::readAll(dir.file("vprobe.out")).empty() &&
         std::chrono::steady_clock::now() - start < 1s) {
    std::this_thread::sleep_for(1ms);
  }
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "hello!\n");
  CHECK(took < 100ms);
}

TEST_CASE("ordered output: what is pending is written when it goes away") {
  vmxtest::TempDir dir;
  auto files = filesIn(dir);
  {
    vmx::OrderedOutput out(*files, vp::OrderedSink::kDefaultBufferBytes, 1h);
    out.sink().output(5, "last words\n");
  }
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == "last words\n");
}

TEST_CASE("ordered output: lines a full buffer dropped are counted in vprobe.err") {
  vmxtest::TempDir dir;
  auto files = filesIn(dir);
  // Room for 4 entries of this size; flushed by hand only.
  const std::string line = "0123456789abcdef\n";
  vmx::OrderedOutput out(*files, 4 * (line.size() + vp::OrderedSink::kEntryOverhead), 1h);
  for (int i = 0; i < 10; ++i) out.sink().outputFrom(i, line, "VMM10Hz");
  out.sink().errorFrom(20, "t.vp:1:1: runtime error: boom\n", "VMM10Hz");
  out.flush();
  std::string kept = vmxtest::readAll(dir.file("vprobe.out"));
  CHECK(kept == line + line + line + line);
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) ==
        "vprobe: lost 6 lines of output from probe VMM10Hz: the output buffer of the thread "
        "that fired it (vprobe.outputBufferKB = 1) was full\n"
        "vprobe: lost 1 runtime error lines from probe VMM10Hz: the output buffer of the thread "
        "that fired it (vprobe.outputBufferKB = 1) was full\n");
  CHECK(out.lostLines() == 7);
  // The room is back once written.
  out.sink().outputFrom(30, line, "VMM10Hz");
  out.flush();
  CHECK(vmxtest::readAll(dir.file("vprobe.out")) == kept + line);
}

TEST_CASE("ordered output: JSON records go to vprobe.json in TSC order, drops as drop records") {
  vmxtest::TempDir dir;
  auto files = filesIn(dir);
  std::string error;
  REQUIRE(files->openJson(error));
  const std::string rec = "{\"type\":\"printf\",\"text\":\"x\"}\n";
  vmx::OrderedOutput out(*files, 4 * (rec.size() + vp::OrderedSink::kEntryOverhead), 1h);
  out.sink().recordsFrom(20, rec, "VMM1Hz");
  out.sink().recordsFrom(10, rec + rec, "VMM1Hz");  // one fire, two records
  out.sink().recordsFrom(30, rec, "VMM1Hz");
  out.sink().recordsFrom(40, rec, "VMM1Hz");  // the buffer is full
  out.flush();
  CHECK(vmxtest::readAll(dir.file("vprobe.json")) ==
        rec + rec + rec + rec + "{\"type\":\"drop\",\"probe\":\"VMM1Hz\",\"records\":1}\n");
  CHECK(vmxtest::readAll(dir.file("vprobe.out")).empty());
  CHECK(vmxtest::readAll(dir.file("vprobe.err")) ==
        "vprobe: lost 1 JSON records of output from probe VMM1Hz: the output buffer of the thread "
        "that fired it (vprobe.outputBufferKB = 1) was full\n");
}
