#include "vmx-client/vmx_config.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "vmx-client/config_values.h"
#include "vmx-client/src/vmx_settings.h"

namespace vmx {

vp::Options VmxConfig::vpOptions() const {
  vp::Options options;
  options.maxCodeBytes = maxCodeBytes;
  options.bagBytes = bagBytes;
  options.version = vprobeVersion;
  options.guestSymbols = guestSymbols;
  options.faultInjectionOff = faultInjectionOff;
  return options;
}

namespace {

std::string folderOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string defaultDisplayName(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.size() > 4 && name.ends_with(".vmx")) name.resize(name.size() - 4);
  return name;
}

void setDefaults(const std::string& vmxPath, VmxConfig& out) {
  out = VmxConfig{};
  out.vmxPath = vmxPath;
  out.dir = folderOf(vmxPath);
  out.displayName = defaultDisplayName(vmxPath);
  out.serial0File = resolvePath(out.dir, "serial.log");
  out.outFile = resolvePath(out.dir, "vprobe.out");
  out.errFile = resolvePath(out.dir, "vprobe.err");
}

// Exactly one of guest.image (the demo platform) and guest.kernel (Linux);
// what goes with one and not the other.
void checkGuest(const ConfigFile& file, const std::string& fileName,
                const VmxConfig& c, std::vector<ConfigError>& errors) {
  auto at = [&](std::string_view key, std::string msg) {
    if (const ConfigEntry* e = file.find(key))
      errors.push_back(file.errorAt(*e, e->key + ": " + msg));
    else
      errors.push_back({fileName, 0, std::move(msg)});
  };
  if (c.guestImage.empty() && c.guestKernel.empty()) {
    errors.push_back({fileName, 0,
                      "guest.image is not set: name the guest's ELF image, "
                      "e.g. guest.image = \"demo.elf\" (or a Linux kernel "
                      "with guest.kernel)"});
    return;
  }
  if (!c.guestImage.empty() && !c.guestKernel.empty()) {
    at("guest.kernel",
       "guest.image and guest.kernel cannot both be set: guest.image boots "
       "the demo platform's ELF image, guest.kernel a Linux bzImage; keep one");
    return;
  }
  if (!c.guestImage.empty() && !c.serial1File.empty())
    at("serial1.fileName", "serial1 (COM2) is a PC device: it goes with guest.kernel, not guest.image");
  if (!c.guestImage.empty() && !c.guestInitrd.empty())
    at("guest.initrd", "guest.initrd goes with guest.kernel, not guest.image");
  if (!c.guestImage.empty() && c.guestCmdline.size() > kMaxDemoCmdline)
    at("guest.cmdline", "the command line must be at most " +
                            std::to_string(kMaxDemoCmdline) +
                            " bytes with guest.image (the boot information)");
  if (!c.guestKernel.empty() && c.numVcpus != 1)
    at("numvcpus", "a Linux guest (guest.kernel) has one vCPU: its interrupt "
                   "controller is a PIC pair, with no local APICs");
}

}  // namespace

bool parseVmxConfig(std::string_view text, const std::string& fileName,
                    const std::string& vmxPath, VmxConfig& out,
                    std::vector<ConfigError>& errors) {
  size_t before = errors.size();
  setDefaults(vmxPath, out);
  ConfigFile file;
  ConfigFile::parse(text, fileName, file, errors);
  applyVmxSettings(file, out, errors);
  // The settings table is walked in its own order; the user reads the file
  // from the top.
  std::stable_sort(errors.begin() + static_cast<std::ptrdiff_t>(before), errors.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  checkGuest(file, fileName, out, errors);
  return errors.size() == before;
}

bool loadVmxConfig(const std::string& path, VmxConfig& out,
                   std::vector<ConfigError>& errors) {
  char resolved[PATH_MAX];
  std::string text, error;
  if (::realpath(path.c_str(), resolved) == nullptr) {
    errors.push_back({path, 0, std::string("cannot open: ") + std::strerror(errno)});
    return false;
  }
  if (!readTextFile(resolved, text, error)) {
    errors.push_back({path, 0, "cannot read: " + error});
    return false;
  }
  return parseVmxConfig(text, path, resolved, out, errors);
}

}  // namespace vmx
