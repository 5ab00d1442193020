#include "vmx-engine/probe_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vmx-engine/src/append_lines.h"
#include "vmx-engine/vmx_log.h"

namespace vmx {

std::unique_ptr<ProbeOutput> ProbeOutput::open(const std::string& outPath,
                                               const std::string& errPath,
                                               const FileSharing& sharing,
                                               std::string& error) {
  auto result = std::unique_ptr<ProbeOutput>(new ProbeOutput);
  result->sharing_ = sharing;
  result->out_.path = outPath;
  result->err_.path = errPath;
  size_t slash = errPath.rfind('/');
  result->json_.path = (slash == std::string::npos ? "" : errPath.substr(0, slash + 1)) + "vprobe.json";
  if (!result->openFile(result->out_, error) || !result->openFile(result->err_, error)) {
    return nullptr;
  }
  return result;
}

bool ProbeOutput::openFile(File& file, std::string& error) {
  UniqueFd fd = openPrivateFile(file.path, O_WRONLY | O_APPEND, sharing_, error);
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    error = "cannot open " + file.path + ": " + std::strerror(errno);
    return false;
  }
  file.fd = std::move(fd);
  file.dev = st.st_dev;
  file.ino = st.st_ino;
  return true;
}

bool ProbeOutput::reopenIfGone(File& file, std::string& error) {
  struct stat st {};
  bool same = ::stat(file.path.c_str(), &st) == 0 && st.st_dev == file.dev &&
              st.st_ino == file.ino;
  return same || openFile(file, error);
}

bool ProbeOutput::reopenIfDeleted(std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  return reopenIfGone(out_, error) && reopenIfGone(err_, error);
}

bool ProbeOutput::openJson(std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  return json_.fd ? reopenIfGone(json_, error) : openFile(json_, error);
}

void ProbeOutput::append(File& file, std::string_view text) {
  AppendResult r = appendLines(file.fd.get(), text);
  if (r.error == 0) {
    if (file.failingErrno != 0) writesResumed(file);
    return;
  }
  unwritten_ += r.unwrittenLines;
  if (file.failingErrno == 0) {
    logLine(file.path + ": cannot write: " + std::strerror(r.error) +
            "; probe output is dropped, in whole lines, until it can be written "
            "(vmrun vprobeStats counts it: output.unwritten_lines)");
  }
  file.failingErrno = r.error;
  file.failingLines += r.unwrittenLines;
}

// Says what was dropped where a reader of the output looks: vmx.log and
// vprobe.err (which may be the file that just recovered).
void ProbeOutput::writesResumed(File& file) {
  std::string what = std::to_string(file.failingLines) + " lines could not be written to " +
                     file.path + " (" + std::strerror(file.failingErrno) + ")";
  file.failingErrno = 0;
  file.failingLines = 0;
  logLine(file.path + ": writing again; " + what);
  append(err_, "vprobe: " + what + "\n");
}

void ProbeOutput::output(uint64_t, std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  append(out_, text);
}

void ProbeOutput::records(uint64_t, std::string_view lines) {
  std::lock_guard<std::mutex> lock(mu_);
  if (json_.fd) append(json_, lines);
}

void ProbeOutput::error(uint64_t, std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!line.empty() && line.back() == '\n') {
    append(err_, line);
  } else {
    append(err_, std::string(line) + "\n");
  }
}

}  // namespace vmx
