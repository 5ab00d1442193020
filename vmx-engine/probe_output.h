// Where probe output goes: vprobe.out (or vprobe.outFile) for what scripts
// print, vprobe.err for probe runtime errors; both appended, as the
// reference says ("appending each time a script runs").
//
// It is the engine's vp::Sink: hand it to vp::Script::load. Each call is
// one write(2) on a file opened with O_APPEND, so a line is in the file
// (and `tail -f` shows it) as soon as the fire that printed it ends, and
// lines from different threads never interleave. Thread safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "vmx-engine/private_file.h"
#include "vmx-engine/unique_fd.h"
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

  // Called before each script load: if either file was deleted or renamed
  // since it was opened, a new one is created at the configured path
  // ("If you delete the vprobe.out file, vmrun will create a new one when
  // it loads the next script").
  bool reopenIfDeleted(std::string& error);

  const std::string& outPath() const { return out_.path; }
  const std::string& errPath() const { return err_.path; }

 private:
  struct File {
    std::string path;
    UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
  };
  bool openFile(File& file, std::string& error);
  bool reopenIfGone(File& file, std::string& error);
  static void append(const File& file, std::string_view text);

  std::mutex mu_;  // guards the fds against a reopen during a write
  File out_, err_;
  FileSharing sharing_;
};

}  // namespace vmx
