// The command line of `vmrun`, as VMware's vmrun spells it:
//
//   vmrun [-T ws|fusion|player] COMMAND [VMX] [ARGS...]
//
// The commands this vmrun knows, their arguments, and the checks made
// before anything is sent to a VM. The options before COMMAND (-T, -h,
// --version) are read by tools/vmrun/options.cpp, as every tool's are. Command names are matched without
// regard to case, as VMware's vmrun does. -T names the VMware product the
// command is meant for; every local product is accepted and means the same
// here, and remote ones (server, esx, vc...) are refused.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmx {

enum class VmrunCommand : unsigned char {
  Start,
  Stop,
  List,
  VprobeLoad,
  VprobeLoadFile,
  VprobeReset,
  VprobeListProbes,
  VprobeListGlobals,
  VprobeVersion,
  GetGuestSymbols,
  VprobeStats,
  Count
};

struct VmrunCommandInfo {
  std::string_view name;
  bool takesVmx;
  std::string_view args;     // for usage: "'SCRIPT'", "[gui|nogui]"
  unsigned required;         // arguments after VMX
  std::string_view optional; // "" or one optional word's choices "a|b"; "*" any
  std::string_view summary;
};

const VmrunCommandInfo& vmrunCommandInfo(VmrunCommand command);

struct VmrunArgs {
  std::string product = "ws";
  VmrunCommand command = VmrunCommand::Count;
  std::string vmx;        // as typed
  std::vector<std::string> args;
};

// -T PRODUCT: a local product (ws, fusion, player, any case) into
// out.product; false with `error` for the others.
bool parseVmrunProduct(std::string_view product, VmrunArgs& out, std::string& error);

// COMMAND [VMX] [ARGS...] (the words after the options) into `out`. False
// with `error` (one line, printed before the usage) when they are wrong.
bool parseVmrunCommand(std::span<const std::string> words, VmrunArgs& out,
                       std::string& error);

// The usage text: every command with its arguments.
std::string vmrunUsage();

}  // namespace vmx
