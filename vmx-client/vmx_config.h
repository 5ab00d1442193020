// A virtual machine's `.vmx` file, read and checked before the VM process
// starts anything: a VM with a bad setting is not started, and every bad
// line is reported as "demo.vmx:7: error: ...".
//
// Settings (keys are case-insensitive; see config_file.h for the syntax):
//   numvcpus             1..16, default 1
//   memsize              MiB of guest RAM, 16..4096, default 64
//   displayName          default: the .vmx file's name without ".vmx"
//   guest.image          the demo platform's ELF64 guest image
//   guest.kernel         or a Linux bzImage (exactly one of the two)
//   guest.initrd         the Linux guest's initrd (optional)
//   guest.cmdline        the command line: at most 255 bytes for
//                        guest.image (the boot information); for
//                        guest.kernel up to the kernel's cmdline_size
//                        (checked at power-on; at most 4095 here)
//   disk0.fileName       the disk image; none when absent (the demo's DMA
//                        disk; with guest.kernel, a virtio disk on PCI)
//   disk0.sizeMB         1..65536: size of disk0 (created at this size if
//                        missing); 0/absent: the file's own size
//   serial0.fileName     the serial console log, default serial.log
//   serial1.fileName     COM2's output (Linux guests, guest.kernel only):
//                        a second 16550A at 0x2f8, IRQ 3; none when absent
//   ethernet0.present    TRUE/FALSE, default FALSE: a virtio network
//                        adapter on PCI (both platforms) on user-mode NAT
//   ethernet0.connectionType  "nat", the only one supported (libslirp:
//                        the guest is 10.0.2.15/24, gateway 10.0.2.2)
//   ethernet0.address    its MAC, "xx:xx:xx:xx:xx:xx" (unicast); default
//                        02:00:56:50:00:01
//   vprobe.enable        TRUE/FALSE (also YES/NO, 1/0, any case), default
//                        FALSE; scripts load only when TRUE
//   vprobe.vpFile        a VP script loaded at power-on
//   vprobe.outFile       probe output, default vprobe.out (appended)
//   vprobe.outputGroup   a group that may read vprobe.out and vprobe.err
//                        (0640, that group); default none: every file the
//                        VM writes is its owner's alone (private_file.h)
//   vprobe.maxCodeBytes  translation cache, 1..65536, default 16384
//   vprobe.bagBytes      storage of all bags, 0..67108864, default 65536
//   vprobe.outputBufferKB  probe output held per printing thread until
//                        it is written, 4..65536, default 1024; what does
//                        not fit is dropped and counted (ordered_output.h)
//   vprobe.version       "M.N": the engine behaves as this VP version
//                        (from 1.0 up to the engine's own); default the
//                        engine's own
//   vprobe.guestSyms     the guest's symbols (nm, System.map, kallsyms) for
//                        GUEST:symbol probes; a malformed file is a bad
//                        setting, a missing one a warning (a Linux guest's
//                        are fetched after its boot: `vmrun
//                        getGuestSymbols`); the VM reads it again when a
//                        script loads (guest_symbols_file.h)
//   vprobe.faultInjection  TRUE/FALSE, default FALSE: scripts may call the
//                        destructive built-ins (setgpr, setguest,
//                        skipfunction, genmce) if the host allows it too
//                        (vprobe.allowFaultInjection, host_config.h)
// Paths are taken relative to the folder that holds the .vmx. Unknown keys
// are kept in the file and ignored, as VMware does. `vprobe.allow` and
// `vprobe.allowFaultInjection` are host settings (host_config.h); in a
// .vmx they are ignored with a warning, since a VM's owner must not be
// able to grant them to themselves.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmx-client/config_file.h"
#include "vmx-client/private_file.h"
#include "vp/vp.h"

namespace vmx {

// guest.cmdline's bound before the kernel's own limit is known.
inline constexpr size_t kMaxLinuxCmdline = 4095;
inline constexpr size_t kMaxDemoCmdline = 255;

struct VmxConfig {
  std::string vmxPath;  // absolute, symlinks resolved: the VM's identity
  std::string dir;      // the folder holding the .vmx
  std::string displayName;
  unsigned numVcpus = 1;
  unsigned memsizeMiB = 64;
  std::string guestImage;  // absolute; or
  std::string guestKernel, guestInitrd;  // absolute; initrd may be empty
  std::string guestCmdline;
  std::string disk0File;     // absolute; empty when the VM has no disk
  uint64_t disk0SizeMB = 0;  // 0: the file's own size
  std::string serial0File;   // absolute
  std::string serial1File;   // absolute; empty: no COM2
  bool ethernet0Present = false;
  std::array<uint8_t, 6> ethernet0Mac = {0x02, 0x00, 0x56, 0x50, 0x00, 0x01};
  bool vprobeEnable = false;
  std::string vpFile;   // absolute; empty when none
  std::string outFile;  // absolute
  std::string errFile;  // absolute: vprobe.err beside the .vmx
  FileSharing outputSharing;  // vprobe.outputGroup; applies to outFile, errFile
  uint32_t maxCodeBytes = 16384;
  uint64_t bagBytes = 65536;
  uint64_t outputBufferBytes = 1024 * 1024;
  vp::Version vprobeVersion = vp::kEngineVersion;
  std::string guestSymsFile;  // absolute; empty when none
  std::shared_ptr<const vp::GuestSymbols> guestSymbols;  // its contents
  bool faultInjection = false;  // vprobe.faultInjection
  // Why destructive built-ins are off, "" when on: the VM process sets it
  // from the host's and the VM's settings (VprobePolicy); off by default.
  std::string faultInjectionOff = vp::Options{}.faultInjectionOff;
  // Settings that were accepted but are worth a line in vmx.log.
  std::vector<std::string> warnings;

  // The engine options these settings ask for.
  vp::Options vpOptions() const;
};

// Reads `path` (as the user typed it; errors name it so). Returns false with
// at least one error when the file cannot be read or has bad settings.
bool loadVmxConfig(const std::string& path, VmxConfig& out,
                   std::vector<ConfigError>& errors);

// The same, from text: `fileName` for messages, `vmxPath` the absolute path
// the settings are relative to.
bool parseVmxConfig(std::string_view text, const std::string& fileName,
                    const std::string& vmxPath, VmxConfig& out,
                    std::vector<ConfigError>& errors);

}  // namespace vmx
