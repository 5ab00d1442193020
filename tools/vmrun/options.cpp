#include "tools/vmrun/options.h"

#include <vector>

#include "cmdline/cmdline.h"

namespace vmrun {
namespace {

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text = [] {
    std::string usage = vmx::vmrunUsage();
    if (!usage.empty() && usage.back() == '\n') usage.pop_back();
    return cmdline::ToolText{
        .name = "vmrun",
        .usage = usage,
        .description =
            "Controls local virtual machines and their VProbes with VMware's vmrun command\n"
            "line. Command names are matched without regard to case.",
        .examples = "  vmrun start guests/demo/demo.vmx\n"
                    "  vmrun vprobeLoad guests/demo/demo.vmx '(vprobe VMM1Hz (printf \"hello\\n\"))'\n"
                    "  vmrun -T ws vprobeLoadFile guests/demo/demo.vmx cookbook/irq-by-vector.vp\n"
                    "  vmrun vprobeListProbes guests/demo/demo.vmx\n"
                    "  vmrun stop guests/demo/demo.vmx",
        .usageStatus = cmdline::kFailed,
        .helpFlags = "-h,--help,-?",
        .errorPrefix = "Error: ",
    };
  }();
  return text;
}

// What follows the options: COMMAND [PATH.vmx] [ARGS]; and -T's product,
// which has no value when -T was last ("-T needs a host type", VMware's
// message, not CLI11's).
std::string readCommand(const CLI::App& app, const CLI::Option& t, const std::string& product,
                        vmx::VmrunArgs& args) {
  std::string error;
  std::vector<std::string> words = app.remaining();
  if (t.count() && product.empty()) error = "-T needs a host type (ws, fusion or player)";
  else if (t.count()) vmx::parseVmrunProduct(product, args, error);
  // CLI11 sets an unknown option aside with the words after it.
  if (error.empty() && !words.empty() && words[0].size() > 1 && words[0][0] == '-')
    error = cmdline::unexpectedWord(app, words[0]);
  if (error.empty()) vmx::parseVmrunCommand(words, args, error);
  return error;
}

}  // namespace

std::optional<int> parseArgs(int argc, const char* const* argv, vmx::VmrunArgs& out) {
  vmx::VmrunArgs args;
  std::string product;
  const CLI::App* parsed = nullptr;
  const CLI::Option* t = nullptr;
  auto define = [&](CLI::App& app) {
    t = app.add_option("-T", product,
                       "the VMware product the command is for; all are local and mean the same here")
            ->type_name("ws|fusion|player")
            ->expected(0, 1);
    // COMMAND and what follows are vmrun's words, not options (a script
    // may start with '-').
    app.prefix_command();
    parsed = &app;
  };
  auto status = cmdline::parse(toolText(), argc, argv, define,
                               [&] { return readCommand(*parsed, *t, product, args); });
  if (!status) out = std::move(args);
  return status;
}

}  // namespace vmrun
