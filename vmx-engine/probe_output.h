// Where probe output goes: vprobe.out (or vprobe.outFile) for what scripts
// print, vprobe.err for probe runtime errors; both appended, as the
// reference says ("appending each time a script runs"). A script loaded
// for JSON output (vprobe -f json) prints JSON records instead, all of
// them, to vprobe.json beside vprobe.err, created at the first such load.
//
// It is the engine's vp::Sink: hand it to vp::Script::load. Each call is
// one write(2) on a file opened with O_APPEND, so a line is in the file
// (and `tail -f` shows it) as soon as the fire that printed it ends, and
// lines from different threads never interleave. Thread safe.
//
// A write that fails (a full file system, a quota, an I/O error) drops
// what it could not write, in whole lines (src/append_lines.h): the guest
// and the script go on. The first failure of a file logs one line to
// vmx.log; when the file takes writes again, vmx.log and vprobe.err say how
// many lines were dropped; unwrittenLines() counts them all (vmrun
// vprobeStats: output.unwritten_lines).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "vmx-client/private_file.h"
#include "vmx-client/unique_fd.h"
#include "vp/vp.h"

namespace vmx {

class ProbeOutput : public vp::Sink {
 public:
  // Opens (creating if needed) both files for appending, as private
  // files (private_file.h) readable by `sharing`'s group if it has one.
  static std::unique_ptr<ProbeOutput> open(const std::string& outPath,
                                           const std::string& errPath,
                                           const FileSharing& sharing,
                                           std::string& error);

  // `text` is whole lines (vp::Sink's contract); written as is.
  void output(uint64_t tsc, std::string_view text) override;
  // One error line; a newline is added when it has none.
  void error(uint64_t tsc, std::string_view line) override;
  // JSON records, whole lines, to vprobe.json once openJson() opened it.
  void records(uint64_t tsc, std::string_view lines);
  void recordsFrom(uint64_t tsc, std::string_view lines, std::string_view) override {
    records(tsc, lines);
  }

  // Opens vprobe.json (again, if it was deleted) for a script loaded for
  // JSON output.
  bool openJson(std::string& error);

  // Called before each script load: if either file was deleted or renamed
  // since it was opened, a new one is created at the configured path
  // ("If you delete the vprobe.out file, vmrun will create a new one when
  // it loads the next script").
  bool reopenIfDeleted(std::string& error);

  // Lines dropped so far because a file refused a write, both files.
  uint64_t unwrittenLines() const { return unwritten_.load(); }

  const std::string& outPath() const { return out_.path; }
  const std::string& errPath() const { return err_.path; }
  const std::string& jsonPath() const { return json_.path; }

 private:
  struct File {
    std::string path;
    UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    uint64_t failingLines = 0;  // dropped since writes to it began failing
    int failingErrno = 0;       // 0 while writes succeed
  };
  bool openFile(File& file, std::string& error);
  bool reopenIfGone(File& file, std::string& error);
  void append(File& file, std::string_view text);
  void writesResumed(File& file);

  std::mutex mu_;  // guards the fds against a reopen during a write
  File out_, err_, json_;
  FileSharing sharing_;
  std::atomic<uint64_t> unwritten_{0};
};

}  // namespace vmx
