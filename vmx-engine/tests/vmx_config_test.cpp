#include <catch2/catch.hpp>

#include "vmx-client/tests/temp_dir.h"
#include "vmx-client/vmx_config.h"
#include "vmx-engine/vprobe_policy.h"
#include "vp/ordered_sink.h"

using vmx::VmxConfig;

namespace {

constexpr const char* kImage = "guest.image = \"demo.elf\"\n";

VmxConfig parseOk(const std::string& text) {
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  bool ok = vmx::parseVmxConfig(text, "demo.vmx", "/vms/demo/demo.vmx", cfg, errors);
  for (const auto& e : errors) INFO(e.str());
  REQUIRE(ok);
  return cfg;
}

// The one error `line` (after a valid guest.image line) produces.
std::string errorFor(const std::string& line) {
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::parseVmxConfig(std::string(kImage) + line + "\n", "demo.vmx",
                                  "/vms/demo/demo.vmx", cfg, errors));
  REQUIRE(errors.size() == 1);
  return errors[0].str();
}

}  // namespace

TEST_CASE("vmx: defaults") {
  VmxConfig c = parseOk(kImage);
  CHECK(c.vmxPath == "/vms/demo/demo.vmx");
  CHECK(c.dir == "/vms/demo");
  CHECK(c.displayName == "demo");
  CHECK(c.numVcpus == 1);
  CHECK(c.memsizeMiB == 64);
  CHECK(c.guestImage == "/vms/demo/demo.elf");
  CHECK(c.guestCmdline.empty());
  CHECK(c.disk0File.empty());
  CHECK(c.disk0SizeMB == 0);
  CHECK(c.serial0File == "/vms/demo/serial.log");
  CHECK_FALSE(c.vprobeEnable);
  CHECK(c.vpFile.empty());
  CHECK(c.outFile == "/vms/demo/vprobe.out");
  CHECK(c.errFile == "/vms/demo/vprobe.err");
  CHECK(c.maxCodeBytes == 16384);
  CHECK(c.bagBytes == 65536);
  CHECK(c.vprobeVersion == vp::kEngineVersion);
  CHECK(c.warnings.empty());
}

TEST_CASE("vmx: every setting is read") {
  VmxConfig c = parseOk(
      "numvcpus = \"4\"\nmemsize = \"256\"\ndisplayName = \"Demo VM\"\n"
      "guest.image = \"/abs/k.elf\"\nguest.cmdline = \"init=/sbin/x quiet\"\n"
      "disk0.fileName = \"disks/d0.img\"\ndisk0.sizeMB = \"32\"\n"
      "serial0.fileName = \"con.txt\"\nvprobe.enable = \"TRUE\"\n"
      "vprobe.vpFile = \"boot.vp\"\nvprobe.outFile = \"out/p.out\"\n"
      "vprobe.maxCodeBytes = \"65536\"\nvprobe.bagBytes = \"1048576\"\n"
      "vprobe.version = \"1.0\"\n");
  CHECK(c.numVcpus == 4);
  CHECK(c.memsizeMiB == 256);
  CHECK(c.displayName == "Demo VM");
  CHECK(c.guestImage == "/abs/k.elf");
  CHECK(c.guestCmdline == "init=/sbin/x quiet");
  CHECK(c.disk0File == "/vms/demo/disks/d0.img");
  CHECK(c.disk0SizeMB == 32);
  CHECK(c.serial0File == "/vms/demo/con.txt");
  CHECK(c.vprobeEnable);
  CHECK(c.vpFile == "/vms/demo/boot.vp");
  CHECK(c.outFile == "/vms/demo/out/p.out");
  CHECK(c.maxCodeBytes == 65536);
  CHECK(c.bagBytes == 1048576);
  CHECK(c.vprobeVersion == vp::Version{1, 0});
  vp::Options o = c.vpOptions();
  CHECK(o.maxCodeBytes == 65536);
  CHECK(o.bagBytes == 1048576);
  CHECK(o.version == vp::Version{1, 0});
}

TEST_CASE("vmx: booleans in VMware's spellings") {
  for (const char* yes : {"TRUE", "true", "True", "YES", "yes", "1"}) {
    CHECK(parseOk(std::string(kImage) + "vprobe.enable = \"" + yes + "\"\n").vprobeEnable);
  }
  for (const char* no : {"FALSE", "false", "NO", "no", "0"}) {
    CHECK_FALSE(parseOk(std::string(kImage) + "vprobe.enable = " + no + "\n").vprobeEnable);
  }
}

TEST_CASE("vmx: bounds are inclusive") {
  CHECK(parseOk(std::string(kImage) + "numvcpus = 1\n").numVcpus == 1);
  CHECK(parseOk(std::string(kImage) + "numvcpus = 16\n").numVcpus == 16);
  CHECK(parseOk(std::string(kImage) + "memsize = 16\n").memsizeMiB == 16);
  CHECK(parseOk(std::string(kImage) + "memsize = 4096\n").memsizeMiB == 4096);
  CHECK(parseOk(std::string(kImage) + "vprobe.bagBytes = 0\n").bagBytes == 0);
  CHECK(parseOk(std::string(kImage)).outputBufferBytes == 1024 * 1024);
  CHECK(parseOk(std::string(kImage) + "vprobe.outputBufferKB = 4\n").outputBufferBytes == 4096);
  CHECK(parseOk(std::string(kImage) + "vprobe.outputBufferKB = 65536\n").outputBufferBytes ==
        65536ull * 1024);
  CHECK(parseOk(std::string(kImage) + "guest.cmdline = \"" + std::string(255, 'x') + "\"\n")
            .guestCmdline.size() == 255);
}

TEST_CASE("vmx: a later duplicate wins, unknown keys are ignored") {
  VmxConfig c = parseOk(std::string(kImage) + "memsize = 32\nMEMSIZE = 512\nfoo.bar = \"x\"\n");
  CHECK(c.memsizeMiB == 512);
}

TEST_CASE("vmx: each bad value names file, line and what is accepted") {
  CHECK(errorFor("numvcpus = \"0\"") ==
        "demo.vmx:2: error: numvcpus: expected a whole number from 1 to 16, got \"0\"");
  CHECK(errorFor("numvcpus = \"17\"") ==
        "demo.vmx:2: error: numvcpus: expected a whole number from 1 to 16, got \"17\"");
  CHECK(errorFor("numvcpus = \"two\"") ==
        "demo.vmx:2: error: numvcpus: expected a whole number from 1 to 16, got \"two\"");
  CHECK(errorFor("memsize = \"8\"") ==
        "demo.vmx:2: error: memsize: expected a whole number from 16 to 4096, got \"8\"");
  CHECK(errorFor("memsize = \"64MB\"") ==
        "demo.vmx:2: error: memsize: expected a whole number from 16 to 4096, got \"64MB\"");
  CHECK(errorFor("memsize = \"-64\"") ==
        "demo.vmx:2: error: memsize: expected a whole number from 16 to 4096, got \"-64\"");
  CHECK(errorFor("memsize = \"99999999999999999999999\"") ==
        "demo.vmx:2: error: memsize: expected a whole number from 16 to 4096, got "
        "\"99999999999999999999999\"");
  CHECK(errorFor("vprobe.enable = \"maybe\"") ==
        "demo.vmx:2: error: vprobe.enable: expected TRUE or FALSE, got \"maybe\"");
  CHECK(errorFor("vprobe.maxCodeBytes = \"65537\"") ==
        "demo.vmx:2: error: vprobe.maxCodeBytes: expected a whole number from 1 to 65536, "
        "got \"65537\"");
  CHECK(errorFor("vprobe.outputBufferKB = \"3\"") ==
        "demo.vmx:2: error: vprobe.outputBufferKB: expected a whole number from 4 to 65536, "
        "got \"3\"");
  CHECK(errorFor("vprobe.bagBytes = \"67108865\"") ==
        "demo.vmx:2: error: vprobe.bagBytes: expected a whole number from 0 to 67108864, "
        "got \"67108865\"");
  CHECK(errorFor("disk0.sizeMB = \"65537\"") ==
        "demo.vmx:2: error: disk0.sizeMB: expected a whole number from 0 to 65536, got \"65537\"");
  CHECK(errorFor("vprobe.version = \"one\"") ==
        "demo.vmx:2: error: vprobe.version: expected a version such as \"1.0\", got \"one\"");
  CHECK(errorFor("vprobe.version = \"9.0\"") ==
        "demo.vmx:2: error: vprobe.version: version 9.0 is not supported: this engine runs " +
            vp::kOldestVersion.str() + " to " + vp::kEngineVersion.str());
  CHECK(errorFor("vprobe.version = \"0.9\"").find("version 0.9 is not supported") !=
        std::string::npos);
  CHECK(errorFor("guest.cmdline = \"" + std::string(256, 'x') + "\"") ==
        "demo.vmx:2: error: guest.cmdline: the command line must be at most 255 bytes "
        "with guest.image (the boot information)");
  CHECK(errorFor("guest.cmdline = \"" + std::string(4096, 'x') + "\"") ==
        "demo.vmx:2: error: guest.cmdline: the command line must be at most 4095 bytes, "
        "without NUL bytes");
  CHECK(errorFor("vprobe.vpFile = \"\"") ==
        "demo.vmx:2: error: vprobe.vpFile: expected a file name, got \"\"");
  CHECK(errorFor("vprobe.outFile = \"\"") ==
        "demo.vmx:2: error: vprobe.outFile: expected a file name, got \"\"");
  CHECK(errorFor("serial0.fileName = \"\"") ==
        "demo.vmx:2: error: serial0.fileName: expected a file name, got \"\"");
  CHECK(errorFor("disk0.fileName = \"\"") ==
        "demo.vmx:2: error: disk0.fileName: expected a file name, got \"\"");
  CHECK(errorFor("this is not a setting") ==
        "demo.vmx:2: error: expected 'key = \"value\"', found 'this is not a setting'");
}

TEST_CASE("vmx: a message quoting control bytes stays one plain line") {
  // An escape sequence from the file must not reach the user's terminal.
  CHECK(errorFor("numvcpus = \"3\x1b[31m\"") ==
        "demo.vmx:2: error: numvcpus: expected a whole number from 1 to 16, got \"3\\x1b[31m\"");
}

TEST_CASE("vmx: guest.image is required") {
  VmxConfig c;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::parseVmxConfig("memsize = 64\n", "demo.vmx", "/v/demo.vmx", c, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() ==
        "demo.vmx: error: guest.image is not set: name the guest's ELF image, "
        "e.g. guest.image = \"demo.elf\" (or a Linux kernel with guest.kernel)");
  errors.clear();
  CHECK_FALSE(vmx::parseVmxConfig("guest.image = \"\"\n", "demo.vmx", "/v/demo.vmx", c, errors));
  CHECK(errors.size() == 2);  // the empty value, and therefore no image
}

TEST_CASE("vmx: a Linux guest: guest.kernel, guest.initrd, its command line") {
  VmxConfig c = parseOk(
      "guest.kernel = \"out/vmlinuz\"\nguest.initrd = \"/boot/initrd\"\n"
      "guest.cmdline = \"" + std::string(1000, 'x') + "\"\n");
  CHECK(c.guestKernel == "/vms/demo/out/vmlinuz");
  CHECK(c.guestInitrd == "/boot/initrd");
  CHECK(c.guestImage.empty());
  CHECK(c.guestCmdline.size() == 1000);
  CHECK(c.serial1File.empty());
  CHECK(parseOk("guest.kernel = \"k\"\nserial1.fileName = \"kallsyms.serial\"\n").serial1File ==
        "/vms/demo/kallsyms.serial");
}

TEST_CASE("vmx: serial1 (COM2) is a Linux guest's device") {
  CHECK(errorFor("serial1.fileName = \"s1.log\"") ==
        "demo.vmx:2: error: serial1.fileName: serial1 (COM2) is a PC device: it goes with "
        "guest.kernel, not guest.image");
}

TEST_CASE("vmx: guest.image with guest.kernel, and what goes with each") {
  CHECK(errorFor("guest.kernel = \"bzImage\"") ==
        "demo.vmx:2: error: guest.kernel: guest.image and guest.kernel cannot both be "
        "set: guest.image boots the demo platform's ELF image, guest.kernel a Linux "
        "bzImage; keep one");
  CHECK(errorFor("guest.initrd = \"initrd\"") ==
        "demo.vmx:2: error: guest.initrd: guest.initrd goes with guest.kernel, not "
        "guest.image");
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::parseVmxConfig("guest.kernel = \"k\"\nnumvcpus = 2\n", "l.vmx",
                                  "/v/l.vmx", cfg, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() ==
        "l.vmx:2: error: numvcpus: a Linux guest (guest.kernel) has one vCPU: its "
        "interrupt controller is a PIC pair, with no local APICs");
}

TEST_CASE("vmx: all errors of a file are reported at once") {
  VmxConfig c;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::parseVmxConfig(
      std::string(kImage) + "vprobe.enable = x\nmemsize = 1\nnumvcpus = 99\n", "demo.vmx",
      "/v/demo.vmx", c, errors));
  REQUIRE(errors.size() == 3);  // in file order
  CHECK(errors[0].str().starts_with("demo.vmx:2: error: vprobe.enable:"));
  CHECK(errors[1].str().starts_with("demo.vmx:3: error: memsize:"));
  CHECK(errors[2].str().starts_with("demo.vmx:4: error: numvcpus:"));
}

TEST_CASE("vmx: vprobe.allow in a .vmx is ignored with a warning") {
  VmxConfig c = parseOk(std::string(kImage) + "vprobe.allow = \"TRUE\"\n");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("vprobe.allow in a .vmx file is ignored") == 0);
}

TEST_CASE("vmx: fault injection needs vprobe.faultInjection and the host's allowance") {
  VmxConfig plain = parseOk(kImage);
  CHECK_FALSE(plain.faultInjection);
  CHECK_FALSE(plain.vpOptions().faultInjectionOff.empty());  // off unless told
  VmxConfig on = parseOk(std::string(kImage) + "vprobe.faultInjection = \"TRUE\"\n");
  CHECK(on.faultInjection);
  vmx::HostConfig host;
  host.path = "/etc/vprobes/config";
  host.vprobeAllow = true;
  CHECK_THAT(vmx::VprobePolicy::from(host, on).faultInjectionOff(),
             Catch::Contains("add vprobe.allowFaultInjection = \"TRUE\" to /etc/vprobes/config"));
  host.allowFaultInjection = true;
  CHECK_THAT(vmx::VprobePolicy::from(host, plain).faultInjectionOff(),
             Catch::Contains("add vprobe.faultInjection = \"TRUE\" to " + plain.vmxPath));
  CHECK(vmx::VprobePolicy::from(host, on).faultInjectionOff().empty());
  VmxConfig owner = parseOk(std::string(kImage) + "vprobe.allowFaultInjection = \"TRUE\"\n");
  REQUIRE(owner.warnings.size() == 1);
  CHECK(owner.warnings[0].find("vprobe.allowFaultInjection in a .vmx file is ignored") == 0);
}

TEST_CASE("vmx: loadVmxConfig resolves the file and names it as typed") {
  vmxtest::TempDir dir;
  dir.write("a.vmx", "guest.image = \"k.elf\"\nmemsize = 2\n");
  VmxConfig c;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::loadVmxConfig(dir.file("a.vmx"), c, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() == dir.file("a.vmx") +
                               ":2: error: memsize: expected a whole number from 16 to 4096, "
                               "got \"2\"");

  dir.write("b.vmx", "guest.image = \"k.elf\"\n");
  errors.clear();
  REQUIRE(vmx::loadVmxConfig(dir.path() + "/./b.vmx", c, errors));
  CHECK(c.vmxPath == dir.file("b.vmx"));
  CHECK(c.guestImage == dir.file("k.elf"));
}

TEST_CASE("vmx: a missing .vmx is an error naming it") {
  VmxConfig c;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::loadVmxConfig("/nonexistent/x.vmx", c, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() == "/nonexistent/x.vmx: error: cannot open: No such file or directory");
}

TEST_CASE("vmx: vprobe.outputGroup names a group of this host") {
  VmxConfig none = parseOk(kImage);
  CHECK_FALSE(none.outputSharing.withGroup);
  VmxConfig c = parseOk(std::string(kImage) + "vprobe.outputGroup = \"root\"\n");
  CHECK(c.outputSharing.withGroup);
  CHECK(c.outputSharing.gid == 0);
  CHECK(c.outputSharing.groupName == "root");
  CHECK(errorFor("vprobe.outputGroup = \"no-such-group-here\"") ==
        "demo.vmx:2: error: vprobe.outputGroup: no group named \"no-such-group-here\" on this host");
}

TEST_CASE("vmx: vprobe.guestSyms resolves GUEST:symbol probes of loaded scripts") {
  vmxtest::TempDir dir;
  dir.write("guest.map", "ffffffff81000000 T _text\nffffffff810a1b20 T do_fork\n");
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  REQUIRE(vmx::parseVmxConfig(std::string(kImage) + "vprobe.guestSyms = \"guest.map\"\n",
                              "demo.vmx", dir.file("demo.vmx"), cfg, errors));
  CHECK(cfg.guestSymsFile == dir.file("guest.map"));
  vp::OrderedSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load("(vprobe GUEST:ENTER:do_fork (logint 1))", "s.vp",
                                 cfg.vpOptions(), sink, diags);
  REQUIRE(script);
  CHECK(script->probes().at(0).value == 0xffffffff810a1b20ull);
  diags.clear();
  CHECK_FALSE(vp::Script::load("(vprobe GUEST:do_exit (logint 1))", "s.vp", cfg.vpOptions(),
                               sink, diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "unknown guest symbol 'do_exit' (not in " + dir.file("guest.map") + ")");
}

TEST_CASE("vmx: without vprobe.guestSyms a GUEST:symbol probe says how to give them") {
  vp::OrderedSink sink;
  std::vector<vp::Diagnostic> diags;
  CHECK_FALSE(vp::Script::load("(vprobe GUEST:do_fork (logint 1))", "s.vp",
                               parseOk(kImage).vpOptions(), sink, diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.find("vprobe.guestSyms") != std::string::npos);
}

TEST_CASE("vmx: a malformed vprobe.guestSyms is a bad setting") {
  vmxtest::TempDir dir;
  dir.write("bad.map", "ffffffff81000000 T _text\nnonsense\n");
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::parseVmxConfig(std::string(kImage) + "vprobe.guestSyms = \"bad.map\"\n",
                                  "demo.vmx", dir.file("demo.vmx"), cfg, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 2);
  CHECK(errors[0].str().find(dir.file("bad.map")) != std::string::npos);
}

// A Linux guest's symbols are fetched after its boot (vmrun
// getGuestSymbols): the .vmx names a file that is not there yet.
TEST_CASE("vmx: a vprobe.guestSyms not there yet is read when a script loads") {
  vmxtest::TempDir dir;
  VmxConfig cfg;
  std::vector<vmx::ConfigError> errors;
  REQUIRE(vmx::parseVmxConfig(std::string(kImage) + "vprobe.guestSyms = \"kallsyms\"\n",
                              "demo.vmx", dir.file("demo.vmx"), cfg, errors));
  CHECK(cfg.guestSymsFile == dir.file("kallsyms"));
  CHECK_FALSE(cfg.guestSymbols);
  REQUIRE(cfg.warnings.size() == 1);
  CHECK(cfg.warnings[0].find("read when a script loads") != std::string::npos);
}

TEST_CASE("vmx: ethernet0 in VMware's keys, on both platforms") {
  const std::string linux = "guest.kernel = \"vmlinuz\"\n";
  VmxConfig off = parseOk(linux);
  CHECK_FALSE(off.ethernet0Present);
  VmxConfig c = parseOk(linux + "ethernet0.present = \"TRUE\"\nethernet0.connectionType = \"NAT\"\n");
  CHECK(c.ethernet0Present);
  CHECK(c.ethernet0Mac == std::array<uint8_t, 6>{0x02, 0x00, 0x56, 0x50, 0x00, 0x01});
  c = parseOk(linux + "ethernet0.present = \"TRUE\"\nethernet0.address = \"52:54:00:Ab:cd:0F\"\n");
  CHECK(c.ethernet0Mac == std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0xab, 0xcd, 0x0f});
  CHECK(errorFor("ethernet0.connectionType = \"bridged\"") ==
        "demo.vmx:2: error: ethernet0.connectionType: \"bridged\" is not supported: the only "
        "connection type is \"nat\" (user-mode networking through libslirp; no bridged or "
        "host-only)");
  for (const char* bad : {"01:00:5e:00:00:01", "52:54:00:12:34", "52-54-00-12-34-56",
                          "52:54:00:12:34:5g", "52:54:00:12:34:567"})
    CHECK_THAT(errorFor(std::string("ethernet0.address = \"") + bad + "\""),
               Catch::Contains("expected a unicast MAC address"));
  // The demo platform has the adapter too (its kernel polls it).
  CHECK(parseOk(std::string(kImage) + "ethernet0.present = \"TRUE\"\n").ethernet0Present);
}
