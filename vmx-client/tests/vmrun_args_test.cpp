#include <catch2/catch.hpp>

#include "vmx-client/vmrun_args.h"

using vmx::VmrunArgs;
using vmx::VmrunCommand;

namespace {

VmrunArgs parseOk(std::vector<std::string> argv) {
  VmrunArgs args;
  std::string error;
  INFO(error);
  REQUIRE(vmx::parseVmrunCommand(argv, args, error));
  return args;
}

std::string errorOf(std::vector<std::string> argv) {
  VmrunArgs args;
  std::string error;
  CHECK_FALSE(vmx::parseVmrunCommand(argv, args, error));
  return error;
}

std::string productOf(std::string_view product) {
  VmrunArgs args;
  std::string error;
  return vmx::parseVmrunProduct(product, args, error) ? args.product : error;
}

}  // namespace

TEST_CASE("vmrun args: every command with its arguments") {
  CHECK(parseOk({"start", "a.vmx"}).command == VmrunCommand::Start);
  CHECK(parseOk({"start", "a.vmx", "nogui"}).args == std::vector<std::string>{"nogui"});
  CHECK(parseOk({"start", "a.vmx", "gui"}).command == VmrunCommand::Start);
  CHECK(parseOk({"stop", "a.vmx"}).command == VmrunCommand::Stop);
  CHECK(parseOk({"stop", "a.vmx", "soft"}).command == VmrunCommand::Stop);
  CHECK(parseOk({"stop", "a.vmx", "hard"}).command == VmrunCommand::Stop);
  CHECK(parseOk({"list"}).command == VmrunCommand::List);
  VmrunArgs load = parseOk({"vprobeLoad", "vm/a.vmx", "(vprobe VMM1Hz (printf \"hi\\n\"))"});
  CHECK(load.command == VmrunCommand::VprobeLoad);
  CHECK(load.vmx == "vm/a.vmx");
  CHECK(load.args == std::vector<std::string>{"(vprobe VMM1Hz (printf \"hi\\n\"))"});
  CHECK(parseOk({"vprobeLoadFile", "a.vmx", "t.vp"}).command == VmrunCommand::VprobeLoadFile);
  CHECK(parseOk({"vprobeReset", "a.vmx"}).command == VmrunCommand::VprobeReset);
  CHECK(parseOk({"vprobeListProbes", "a.vmx"}).command == VmrunCommand::VprobeListProbes);
  CHECK(parseOk({"vprobeListGlobals", "a.vmx"}).command == VmrunCommand::VprobeListGlobals);
  CHECK(parseOk({"vprobeVersion", "a.vmx"}).command == VmrunCommand::VprobeVersion);
  CHECK(parseOk({"getGuestSymbols", "a.vmx"}).command == VmrunCommand::GetGuestSymbols);
  CHECK(parseOk({"getGuestSymbols", "a.vmx", "syms/k"}).args == std::vector<std::string>{"syms/k"});
}

TEST_CASE("vmrun args: command names ignore case") {
  CHECK(parseOk({"VPROBELOAD", "a.vmx", "s"}).command == VmrunCommand::VprobeLoad);
  CHECK(parseOk({"List"}).command == VmrunCommand::List);
  CHECK(parseOk({"stop", "a.vmx", "SOFT"}).command == VmrunCommand::Stop);
}

TEST_CASE("vmrun args: -T takes the local products") {
  CHECK(productOf("ws") == "ws");
  CHECK(productOf("fusion") == "fusion");
  CHECK(productOf("Player") == "player");
  CHECK(parseOk({"list"}).product == "ws");
}

TEST_CASE("vmrun args: -T with other products is refused clearly") {
  CHECK(productOf("esx") ==
        "unsupported host type 'esx' for -T: this vmrun drives local virtual machines "
        "(ws, fusion, player)");
  CHECK(productOf("server").find("unsupported host type 'server'") == 0);
}

TEST_CASE("vmrun args: bad command lines are named") {
  CHECK(errorOf({}) == "no command given");
  CHECK(errorOf({"frobnicate", "a.vmx"}) == "unknown command 'frobnicate'");
  CHECK(errorOf({"start"}) == "start needs the path of a .vmx file");
  CHECK(errorOf({"vprobeLoad", ""}) == "vprobeLoad needs the path of a .vmx file");
  CHECK(errorOf({"vprobeLoad", "a.vmx"}) == "wrong number of arguments for vprobeLoad");
  CHECK(errorOf({"vprobeLoad", "a.vmx", "s", "t"}) == "wrong number of arguments for vprobeLoad");
  CHECK(errorOf({"vprobeLoadFile", "a.vmx"}) == "wrong number of arguments for vprobeLoadFile");
  CHECK(errorOf({"vprobeReset", "a.vmx", "x"}) == "wrong number of arguments for vprobeReset");
  CHECK(errorOf({"list", "a.vmx"}) == "wrong number of arguments for list");
  CHECK(errorOf({"start", "a.vmx", "nogui", "x"}) == "wrong number of arguments for start");
  CHECK(errorOf({"start", "a.vmx", "headless"}) ==
        "invalid argument 'headless' for start: expected gui|nogui");
  CHECK(errorOf({"stop", "a.vmx", "now"}) == "invalid argument 'now' for stop: expected hard|soft");
}

TEST_CASE("vmrun args: the usage names every command") {
  std::string usage = vmx::vmrunUsage();
  CHECK(usage.find("Usage: vmrun [-T ws|fusion|player] COMMAND") == 0);
  for (size_t i = 0; i < static_cast<size_t>(VmrunCommand::Count); ++i) {
    auto name = vmx::vmrunCommandInfo(static_cast<VmrunCommand>(i)).name;
    CHECK(usage.find("  " + std::string(name) + " ") != std::string::npos);
  }
  CHECK(usage.find("vprobeLoad PATH.vmx 'SCRIPT'") != std::string::npos);
}
