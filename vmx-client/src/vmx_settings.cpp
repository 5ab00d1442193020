#include "vmx-client/src/vmx_settings.h"

#include <grp.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "vmx-client/config_values.h"

namespace vmx {
namespace {

// Reads one value into `cfg`; on a bad value returns false with `error`
// saying what is accepted.
using Apply = bool (*)(std::string_view value, VmxConfig& cfg,
                       std::string& error);

struct Setting {
  std::string_view key;  // lower case
  Apply apply;
};

bool lookUpGroup(const std::string& name, FileSharing& out) {
  std::vector<char> buf(16384);
  struct group g {};
  struct group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found) return false;
  out.withGroup = true;
  out.gid = found->gr_gid;
  out.groupName = name;
  return true;
}

bool number(std::string_view value, uint64_t min, uint64_t max,
            uint64_t& out, std::string& error) {
  if (parseUnsignedValue(value, min, max, out)) return true;
  error = "expected a whole number from " + std::to_string(min) + " to " +
          std::to_string(max) + ", got \"" + std::string(value) + "\"";
  return false;
}

bool path(std::string_view value, const VmxConfig& cfg, std::string& out,
          std::string& error) {
  if (value.empty()) {
    error = "expected a file name, got \"\"";
    return false;
  }
  // open() would take the name only up to the NUL: another file.
  if (value.find('\0') != std::string_view::npos) {
    error = "a file name cannot contain a NUL byte";
    return false;
  }
  out = resolvePath(cfg.dir, value);
  return true;
}

bool applyNumVcpus(std::string_view v, VmxConfig& cfg, std::string& error) {
  uint64_t n = 0;
  if (!number(v, 1, 16, n, error)) return false;
  cfg.numVcpus = static_cast<unsigned>(n);
  return true;
}

bool applyMemsize(std::string_view v, VmxConfig& cfg, std::string& error) {
  uint64_t n = 0;
  if (!number(v, 16, 4096, n, error)) return false;
  cfg.memsizeMiB = static_cast<unsigned>(n);
  return true;
}

bool applyDisplayName(std::string_view v, VmxConfig& cfg, std::string&) {
  if (!v.empty()) cfg.displayName = std::string(v);
  return true;
}

bool applyGuestImage(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.guestImage, error);
}

bool applyGuestKernel(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.guestKernel, error);
}

bool applyGuestInitrd(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.guestInitrd, error);
}

bool applyGuestCmdline(std::string_view v, VmxConfig& cfg, std::string& error) {
  // The demo's boot information holds 256 bytes including the NUL (checked
  // with guest.image, vmx_config.cpp); a Linux kernel says its own limit,
  // checked when the VM is created; no x86 kernel takes more than this.
  if (v.size() > kMaxLinuxCmdline || v.find('\0') != std::string_view::npos) {
    error = "the command line must be at most " +
            std::to_string(kMaxLinuxCmdline) + " bytes, without NUL bytes";
    return false;
  }
  cfg.guestCmdline = std::string(v);
  return true;
}

bool applyDiskFile(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.disk0File, error);
}

bool applyDiskSize(std::string_view v, VmxConfig& cfg, std::string& error) {
  return number(v, 0, 65536, cfg.disk0SizeMB, error);
}

bool applySerialFile(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.serial0File, error);
}

bool applySerial1File(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.serial1File, error);
}

bool applyEthernetPresent(std::string_view v, VmxConfig& cfg, std::string& error) {
  if (parseBoolValue(v, cfg.ethernet0Present)) return true;
  error = "expected TRUE or FALSE, got \"" + std::string(v) + "\"";
  return false;
}

bool applyEthernetType(std::string_view v, VmxConfig&, std::string& error) {
  std::string lower(v);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nat") return true;
  error = "\"" + std::string(v) +
          "\" is not supported: the only connection type is \"nat\" "
          "(user-mode networking through libslirp; no bridged or host-only)";
  return false;
}

bool applyEthernetAddress(std::string_view v, VmxConfig& cfg, std::string& error) {
  std::array<uint8_t, 6> mac{};
  bool ok = v.size() == 17;
  for (size_t i = 0; ok && i < 6; ++i) {
    auto hex = [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c))
                 ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10)
                 : -1;
    };
    int hi = hex(v[3 * i]), lo = hex(v[3 * i + 1]);
    ok = hi >= 0 && lo >= 0 && (i == 5 || v[3 * i + 2] == ':');
    mac[i] = uint8_t(hi * 16 + lo);
  }
  if (ok && (mac[0] & 1) == 0) {
    cfg.ethernet0Mac = mac;
    return true;
  }
  error = "expected a unicast MAC address like 02:00:56:50:00:01, got \"" + std::string(v) + "\"";
  return false;
}

bool applyEnable(std::string_view v, VmxConfig& cfg, std::string& error) {
  if (parseBoolValue(v, cfg.vprobeEnable)) return true;
  error = "expected TRUE or FALSE, got \"" + std::string(v) + "\"";
  return false;
}

bool applyVpFile(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.vpFile, error);
}

bool applyOutFile(std::string_view v, VmxConfig& cfg, std::string& error) {
  return path(v, cfg, cfg.outFile, error);
}

// Sharing the output with a group is the owner's explicit choice; the
// group must exist now, so that a typo is not found at the first load.
bool applyOutputGroup(std::string_view v, VmxConfig& cfg, std::string& error) {
  std::string name(v);
  if (name.empty() || name.find('\0') != std::string::npos) {
    error = "expected a group name, got \"" + name + "\"";
    return false;
  }
  if (!lookUpGroup(name, cfg.outputSharing)) {
    error = "no group named \"" + name + "\" on this host";
    return false;
  }
  return true;
}

bool applyMaxCode(std::string_view v, VmxConfig& cfg, std::string& error) {
  uint64_t n = 0;
  // The reference: the cache can be raised "to the maximum of 64KB".
  if (!number(v, 1, 65536, n, error)) return false;
  cfg.maxCodeBytes = static_cast<uint32_t>(n);
  return true;
}

bool applyBagBytes(std::string_view v, VmxConfig& cfg, std::string& error) {
  // Bags live in the VM process; 64 MiB bounds what a .vmx can make it take.
  return number(v, 0, 64ull << 20, cfg.bagBytes, error);
}

bool applyOutputBuffer(std::string_view v, VmxConfig& cfg, std::string& error) {
  // Per printing thread (vCPUs and the VMX threads): 64 MiB each bounds
  // what a .vmx can make the VM process hold.
  uint64_t kb = 0;
  if (!number(v, 4, 65536, kb, error)) return false;
  cfg.outputBufferBytes = kb * 1024;
  return true;
}

bool applyVersion(std::string_view v, VmxConfig& cfg, std::string& error) {
  vp::Version version;
  if (!vp::parseVersion(v, version)) {
    error = "expected a version such as \"1.0\", got \"" + std::string(v) + "\"";
    return false;
  }
  if (version < vp::kOldestVersion || version > vp::kEngineVersion) {
    error = "version " + version.str() + " is not supported: this engine runs " +
            vp::kOldestVersion.str() + " to " + vp::kEngineVersion.str();
    return false;
  }
  cfg.vprobeVersion = version;
  return true;
}

bool applyGuestSyms(std::string_view v, VmxConfig& cfg, std::string& error) {
  std::string file, text;
  if (!path(v, cfg, file, error)) return false;
  struct stat st;
  if (::stat(file.c_str(), &st) != 0 && errno == ENOENT) {
    // A Linux guest's symbols are fetched after its boot: read at load.
    cfg.warnings.push_back("vprobe.guestSyms " + file +
                           " does not exist yet: it is read when a script loads");
    cfg.guestSymsFile = std::move(file);
    return true;
  }
  if (!readTextFile(file, text, error)) {
    error = "cannot read guest symbols " + file + ": " + error;
    return false;
  }
  auto symbols = std::make_shared<vp::GuestSymbols>();
  if (!vp::GuestSymbols::parse(text, file, *symbols, error)) return false;
  cfg.guestSymsFile = std::move(file);
  cfg.guestSymbols = std::move(symbols);
  return true;
}

bool applyFaultInjection(std::string_view v, VmxConfig& cfg, std::string& error) {
  if (parseBoolValue(v, cfg.faultInjection)) return true;
  error = "expected TRUE or FALSE, got \"" + std::string(v) + "\"";
  return false;
}

// Host settings a VM's owner must not be able to grant themselves.
void warnHostSetting(VmxConfig& cfg, const char* key) {
  cfg.warnings.push_back(std::string(key) +
                         " in a .vmx file is ignored: it is a host setting "
                         "(the file named by VPROBE_HOST_CONFIG, or /etc/vprobes/config)");
}

bool warnAllow(std::string_view, VmxConfig& cfg, std::string&) {
  warnHostSetting(cfg, "vprobe.allow");
  return true;
}

bool warnAllowFaultInjection(std::string_view, VmxConfig& cfg, std::string&) {
  warnHostSetting(cfg, "vprobe.allowFaultInjection");
  return true;
}

constexpr Setting kSettings[] = {
    {"numvcpus", applyNumVcpus},
    {"memsize", applyMemsize},
    {"displayname", applyDisplayName},
    {"guest.image", applyGuestImage},
    {"guest.kernel", applyGuestKernel},
    {"guest.initrd", applyGuestInitrd},
    {"guest.cmdline", applyGuestCmdline},
    {"disk0.filename", applyDiskFile},
    {"disk0.sizemb", applyDiskSize},
    {"serial0.filename", applySerialFile},
    {"serial1.filename", applySerial1File},
    {"ethernet0.present", applyEthernetPresent},
    {"ethernet0.connectiontype", applyEthernetType},
    {"ethernet0.address", applyEthernetAddress},
    {"vprobe.enable", applyEnable},
    {"vprobe.vpfile", applyVpFile},
    {"vprobe.outfile", applyOutFile},
    {"vprobe.outputgroup", applyOutputGroup},
    {"vprobe.maxcodebytes", applyMaxCode},
    {"vprobe.bagbytes", applyBagBytes},
    {"vprobe.outputbufferkb", applyOutputBuffer},
    {"vprobe.version", applyVersion},
    {"vprobe.guestsyms", applyGuestSyms},
    {"vprobe.faultinjection", applyFaultInjection},
    {"vprobe.allow", warnAllow},
    {"vprobe.allowfaultinjection", warnAllowFaultInjection},
};

}  // namespace

void applyVmxSettings(const ConfigFile& file, VmxConfig& out,
                      std::vector<ConfigError>& errors) {
  for (const Setting& setting : kSettings) {
    const ConfigEntry* entry = file.find(setting.key);
    if (entry == nullptr) continue;
    std::string error;
    if (!setting.apply(entry->value, out, error)) {
      errors.push_back(file.errorAt(*entry, entry->key + ": " + error));
    }
  }
}

}  // namespace vmx
