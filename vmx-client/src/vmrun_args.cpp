#include "vmx-client/vmrun_args.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "vmx-client/src/text_util.h"

namespace vmx {
namespace {

// Indexed by VmrunCommand.
constexpr VmrunCommandInfo kCommands[] = {
    {"start", true, "[gui|nogui]", 0, "gui|nogui", "Power on a virtual machine"},
    {"stop", true, "[hard|soft]", 0, "hard|soft",
     "Unload its VP script and power off a virtual machine"},
    {"list", false, "", 0, "", "List all running virtual machines"},
    {"vprobeLoad", true, "'SCRIPT'", 1, "", "Load a VP script from the command line"},
    {"vprobeLoadFile", true, "FILE", 1, "", "Load a VP script from the specified file"},
    {"vprobeReset", true, "", 0, "", "Disable all running VProbes"},
    {"vprobeListProbes", true, "", 0, "", "List available probe points"},
    {"vprobeListGlobals", true, "", 0, "", "List global variables"},
    {"vprobeVersion", true, "", 0, "", "Display the current VProbes version"},
    {"getGuestSymbols", true, "[FILE]", 0, "*",
     "Write the Linux guest's exported kallsyms to FILE (default vprobe.guestSyms)"},
    {"vprobeStats", true, "", 0, "",
     "Print every VM exit counted, in the monitor and in KVM (our extension)"},
};
static_assert(std::size(kCommands) == static_cast<size_t>(VmrunCommand::Count));

constexpr std::array<std::string_view, 3> kLocalProducts = {"ws", "fusion", "player"};

bool findCommand(std::string_view name, VmrunCommand& out) {
  for (size_t i = 0; i < std::size(kCommands); ++i) {
    if (equalsIgnoreCase(kCommands[i].name, name)) {
      out = static_cast<VmrunCommand>(i);
      return true;
    }
  }
  return false;
}

bool isOptionalWord(std::string_view choices, std::string_view word) {
  if (choices == "*") return !word.empty();  // any word, e.g. a file name
  while (!choices.empty()) {
    size_t bar = choices.find('|');
    if (equalsIgnoreCase(choices.substr(0, bar), word)) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

bool checkArgs(const VmrunCommandInfo& info, VmrunArgs& out, std::string& error) {
  size_t max = info.required + (info.optional.empty() ? 0 : 1);
  if (out.args.size() < info.required || out.args.size() > max) {
    error = "wrong number of arguments for " + std::string(info.name);
    return false;
  }
  if (out.args.size() > info.required &&
      !isOptionalWord(info.optional, out.args.back())) {
    error = "invalid argument '" + out.args.back() + "' for " +
            std::string(info.name) + ": expected " + std::string(info.optional);
    return false;
  }
  return true;
}

}  // namespace

const VmrunCommandInfo& vmrunCommandInfo(VmrunCommand command) {
  return kCommands[static_cast<size_t>(command)];
}

bool parseVmrunProduct(std::string_view product, VmrunArgs& out, std::string& error) {
  for (std::string_view local : kLocalProducts) {
    if (equalsIgnoreCase(local, product)) {
      out.product = std::string(local);
      return true;
    }
  }
  error = "unsupported host type '" + std::string(product) +
          "' for -T: this vmrun drives local virtual machines (ws, fusion, player)";
  return false;
}

bool parseVmrunCommand(std::span<const std::string> argv, VmrunArgs& out,
                       std::string& error) {
  if (argv.empty()) {
    error = "no command given";
    return false;
  }
  if (!findCommand(argv[0], out.command)) {
    error = "unknown command '" + argv[0] + "'";
    return false;
  }
  const VmrunCommandInfo& info = vmrunCommandInfo(out.command);
  argv = argv.subspan(1);
  if (info.takesVmx) {
    if (argv.empty() || argv[0].empty()) {
      error = std::string(info.name) + " needs the path of a .vmx file";
      return false;
    }
    out.vmx = argv[0];
    argv = argv.subspan(1);
  }
  out.args.assign(argv.begin(), argv.end());
  return checkArgs(info, out, error);
}

std::string vmrunUsage() {
  std::string text =
      "Usage: vmrun [-T ws|fusion|player] COMMAND [PARAMETERS]\n\n"
      "Commands:\n";
  for (const VmrunCommandInfo& info : kCommands) {
    std::string line = "  " + std::string(info.name);
    if (info.takesVmx) line += " PATH.vmx";
    if (!info.args.empty()) line += " " + std::string(info.args);
    line.resize(std::max<size_t>(line.size() + 1, 42), ' ');
    text += line + std::string(info.summary) + "\n";
  }
  return text;
}

}  // namespace vmx
