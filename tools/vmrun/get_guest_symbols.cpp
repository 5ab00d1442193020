// vmrun getGuestSymbols X.vmx [FILE]: the Linux guest's kallsyms, as its
// init exported them on its disk (disk0.fileName; guest_export.h), into
// FILE (default: the .vmx's vprobe.guestSyms, else "kallsyms" beside the
// .vmx), and its BTF, when it sent one, into FILE.btf. While the VM runs
// and the export is not complete, waits for it (VMRUN_GUEST_SYMS_TIMEOUT
// seconds, default 300: a boot under emulation is slow); when the VM is
// not running, fails at once.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/vmrun/commands.h"
#include "vmx-client/config_file.h"
#include "vmx-client/control_client.h"
#include "vmx-client/guest_export.h"
#include "vmx-client/vmx_config.h"

namespace vmrun {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

int timeoutSeconds() {
  const char* env = std::getenv("VMRUN_GUEST_SYMS_TIMEOUT");
  if (!env || !*env) return 300;
  char* end = nullptr;
  long v = std::strtol(env, &end, 10);
  return (*end == '\0' && v >= 0 && v <= 86400) ? int(v) : 300;
}

bool vmRunning(const std::string& vmx) {
  vmx::VmPaths paths;
  std::string canonical, error;
  if (!vmx::canonicalPath(vmx, canonical, error)) return false;
  paths = vmx::vmPathsFor(canonical, vmx::defaultRuntimeDir());
  vmx::Response<vmx::StatusRequest> reply;
  return vmx::sendRequest(paths.socket, vmx::StatusRequest{}, reply, error,
                          std::chrono::seconds(10)) == vmx::SendStatus::Ok;
}

// Writes through a temporary file and a rename: a script loading at the
// same moment reads the old file or the new one, never half of one.
bool writeWhole(const std::string& file, const std::string& text, std::string& error) {
  std::string tmp = file + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      error = "cannot write " + tmp;
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    error = "cannot write " + file;
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

// FILE and, with a BTF, FILE.btf; a stale FILE.btf from an earlier guest
// is removed so the pair always belongs together.
int writeExport(const std::string& file, const vmx::GuestExport& exported) {
  std::string error, btf = file + ".btf";
  if (!writeWhole(file, exported.kallsyms, error)) return fail(error);
  if (exported.btf.empty()) {
    std::remove(btf.c_str());
    std::printf("%s: guest symbols written (no BTF: the guest sent none)\n", file.c_str());
    return 0;
  }
  if (!writeWhole(btf, exported.btf, error)) return fail(error);
  std::printf("%s: guest symbols written, %s: guest BTF written\n", file.c_str(), btf.c_str());
  return 0;
}

}  // namespace

int getGuestSymbols(const vmx::VmrunArgs& args) {
  vmx::VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  if (!vmx::loadVmxConfig(args.vmx, cfg, errors)) {
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    return fail("Cannot open VM: " + args.vmx);
  }
  if (cfg.disk0File.empty())
    return fail(args.vmx + " has no disk0.fileName: the guest has no disk to export its " +
                "symbols on (give it one, as guests/linux/linux.vmx does, and have its init " +
                "write the export at byte " + std::to_string(vmx::kExportOffset) +
                ", as guests/linux/init does)");
  std::string file = !args.args.empty() ? args.args[0]
                     : !cfg.guestSymsFile.empty() ? cfg.guestSymsFile
                                                  : cfg.dir + "/kallsyms";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds());
  for (bool running = true;;) {
    vmx::GuestExport exported;
    std::string error;
    switch (vmx::readGuestExport(cfg.disk0File, exported, error)) {
      case vmx::ExportStatus::Bad: return fail(error);
      case vmx::ExportStatus::Complete: return writeExport(file, exported);
      case vmx::ExportStatus::Incomplete: break;
    }
    std::string what = error;
    if (!running)
      return fail(cfg.disk0File + ": " + what + ", and the virtual machine is not powered on");
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(cfg.disk0File + ": " + what + " after " + std::to_string(timeoutSeconds()) +
                  " s (VMRUN_GUEST_SYMS_TIMEOUT)");
    running = vmRunning(args.vmx);
    if (running) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace vmrun
