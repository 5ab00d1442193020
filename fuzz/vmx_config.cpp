// The `.vmx` reader and the host-configuration reader on any file text.
// Both files are typed by users (the host one by an administrator), and
// vmx_config.h promises that a VM with a bad setting does not start and
// that every bad line is reported. Checked for every input:
//   - no crash or sanitizer report;
//   - a rejected file has at least one error, and each error names a line
//     of the file, except the one about a setting that is missing (it has
//     no line);
//   - an accepted .vmx holds every value inside the range vmx_config.h
//     documents, paths are absolute file names (no NUL byte, which open()
//     would silently cut them at), and the engine takes its options;
//   - an accepted host configuration has no errors; a rejected one allows
//     nothing;
//   - reading the text from a file gives what parsing it gives.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "vmx-engine/host_config.h"
#include "vmx-client/vmx_config.h"
#include "vp/vp.h"

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view text,
                       const std::vector<vmx::ConfigError>& errors) {
  std::fprintf(stderr, "%s\n--- file\n%.*s\n--- errors\n", what.c_str(),
               static_cast<int>(text.size()), text.data());
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.str().c_str());
  std::abort();
}

unsigned lineCount(std::string_view text) {
  unsigned n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

// The rejection contract shared by both readers.
void checkErrors(bool ok, std::string_view text,
                 const std::vector<vmx::ConfigError>& errors) {
  if (ok != errors.empty()) fail("the result disagrees with the errors", text, errors);
  unsigned lines = lineCount(text);
  for (const auto& e : errors) {
    bool missingSetting = e.line == 0 && e.message.starts_with("guest.image is not set");
    if (!missingSetting && (e.line == 0 || e.line > lines))
      fail("an error does not name a line of the file", text, errors);
  }
}

bool isFileName(const std::string& path) {
  return !path.empty() && path[0] == '/' && path.find('\0') == std::string::npos;
}

bool optionalFileName(const std::string& path) { return path.empty() || isFileName(path); }

struct NullSink : vp::Sink {
  void output(uint64_t, std::string_view) override {}
  void error(uint64_t, std::string_view) override {}
};

bool engineTakes(const vp::Options& options) {
  NullSink sink;
  std::vector<vp::Diagnostic> diags;
  if (vp::Script::load("(vprobe VMM1Hz)", "t.vp", options, sink, diags)) return true;
  // A tiny vprobe.maxCodeBytes is a valid setting that no script fits
  // (refused at the script's position); a refused option has no position.
  for (const auto& d : diags)
    if (d.line == 0) return false;
  return true;
}

// The ranges of vmx_config.h.
void checkAccepted(const vmx::VmxConfig& c, std::string_view text) {
  auto require = [&](bool ok, const char* what) {
    if (!ok) fail(std::string("accepted with ") + what, text, {});
  };
  require(c.numVcpus >= 1 && c.numVcpus <= 16, "numvcpus out of 1..16");
  require(c.memsizeMiB >= 16 && c.memsizeMiB <= 4096, "memsize out of 16..4096");
  size_t cmdMax = c.guestKernel.empty() ? vmx::kMaxDemoCmdline : vmx::kMaxLinuxCmdline;
  require(c.guestCmdline.size() <= cmdMax && c.guestCmdline.find('\0') == std::string::npos,
          "a command line over its bound (255 bytes for guest.image) or with NUL");
  require(c.disk0SizeMB <= 65536, "disk0.sizeMB over 65536");
  require(c.maxCodeBytes >= 1 && c.maxCodeBytes <= 65536, "maxCodeBytes out of 1..65536");
  require(c.bagBytes <= (64u << 20), "bagBytes over 67108864");
  require(c.vprobeVersion >= vp::kOldestVersion && c.vprobeVersion <= vp::kEngineVersion,
          "a version the engine does not run");
  require(c.guestImage.empty() != c.guestKernel.empty(),
          "not exactly one of guest.image and guest.kernel");
  require(optionalFileName(c.guestImage) && optionalFileName(c.guestKernel) &&
              optionalFileName(c.guestInitrd),
          "guest.image, guest.kernel or guest.initrd not a file name");
  require(c.guestKernel.empty() ? c.guestInitrd.empty() : c.numVcpus == 1,
          "guest.initrd without guest.kernel, or a Linux guest with several vCPUs");
  require(isFileName(c.serial0File) && isFileName(c.outFile) && isFileName(c.errFile),
          "an output path not a file name");
  require(optionalFileName(c.disk0File) && optionalFileName(c.vpFile),
          "disk0.fileName or vprobe.vpFile not a file name");
  require(!c.displayName.empty(), "an empty displayName");
  require(engineTakes(c.vpOptions()), "options the engine refuses");
}

void removeTemp();

// Where the file goes: in memory (/dev/shm) where there is one. On a
// disk file system, truncating and rewriting the file for every input
// made the kernel write it back at each close (ext4 does, for a file
// replaced by truncation), about a quarter of the target's time.
std::string tempDir() {
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  const char* env = std::getenv("TMPDIR");
  return env && *env ? env : "/tmp";
}

// One file per process, rewritten for each input. Never destroyed, so the
// exit handler can still name it.
const std::string& tempPath() {
  static const std::string* path = [] {
    auto* p = new std::string(tempDir() + "/vmx-config-fuzz-" + std::to_string(::getpid()) + ".vmx");
    std::atexit(removeTemp);
    return p;
  }();
  return *path;
}

void removeTemp() { ::unlink(tempPath().c_str()); }

void writeTemp(std::string_view text) {
  std::ofstream out(tempPath(), std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) std::abort();
}

std::string describe(const vmx::VmxConfig& c, const std::vector<vmx::ConfigError>& errors) {
  std::string s = c.vmxPath + "|" + c.displayName + "|" + std::to_string(c.numVcpus) + "|" +
                  std::to_string(c.memsizeMiB) + "|" + c.guestImage + "|" + c.guestKernel +
                  "|" + c.guestInitrd + "|" + c.guestCmdline +
                  "|" + c.disk0File + "|" + std::to_string(c.disk0SizeMB) + "|" +
                  c.serial0File + "|" + (c.vprobeEnable ? "on" : "off") + "|" + c.vpFile +
                  "|" + c.outFile + "|" + std::to_string(c.maxCodeBytes) + "|" +
                  std::to_string(c.bagBytes) + "|" + c.vprobeVersion.str();
  for (const auto& w : c.warnings) s += "|w:" + w;
  for (const auto& e : errors) s += "|e:" + e.str();
  return s;
}

void checkVmx(std::string_view text) {
  vmx::VmxConfig parsed, loaded;
  std::vector<vmx::ConfigError> parseErrors, loadErrors;
  writeTemp(text);
  bool loadOk = vmx::loadVmxConfig(tempPath(), loaded, loadErrors);
  // loadVmxConfig resolves the path; the folder itself may be a symlink.
  bool ok = vmx::parseVmxConfig(text, tempPath(), loaded.vmxPath, parsed, parseErrors);
  checkErrors(ok, text, parseErrors);
  if (ok) checkAccepted(parsed, text);
  if (loadOk != ok || describe(loaded, loadErrors) != describe(parsed, parseErrors))
    fail("reading the file differs from parsing its text", text, loadErrors);
}

void checkHost(std::string_view text) {
  vmx::HostConfig parsed, loaded;
  std::vector<vmx::ConfigError> parseErrors, loadErrors;
  bool ok = vmx::parseHostConfig(text, tempPath(), parsed, parseErrors);
  checkErrors(ok, text, parseErrors);
  if (!ok && parsed.vprobeAllow) fail("a rejected host configuration allows VProbes", text, parseErrors);
  bool loadOk = vmx::loadHostConfig(tempPath(), loaded, loadErrors);
  if (loadOk != ok || loaded.vprobeAllow != parsed.vprobeAllow || loadErrors.size() != parseErrors.size())
    fail("reading the host configuration differs from parsing its text", text, loadErrors);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;  // longer inputs only slow the search down
  std::string_view text(reinterpret_cast<const char*>(data), size);
  checkVmx(text);  // leaves the text in the temp file for checkHost
  checkHost(text);
  return 0;
}
