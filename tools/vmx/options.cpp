#include "tools/vmx/options.h"

#include "cmdline/cmdline.h"

namespace vmxtool {
namespace {

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text{
      .name = "vmx",
      .usage = "usage: vmx [-f|--foreground] PATH.vmx",
      .description =
          "The VM process, one per running VM: reads the .vmx and the host configuration,\n"
          "detaches, and runs the VM until it stops. `vmrun start` starts it; by hand, -f\n"
          "keeps it in the foreground, logging to stderr, and Ctrl-C stops the VM.",
      .examples = "  vmx -f guests/demo/demo.vmx",
  };
  return text;
}

}  // namespace

std::optional<int> parseArgs(int argc, const char* const* argv, Args& out) {
  Args a;
  auto status = cmdline::parse(
      toolText(), argc, argv,
      [&](CLI::App& app) {
        app.add_flag("-f,--foreground", a.foreground, "stay in the foreground, log to stderr");
        app.add_option("PATH.vmx", a.vmx, "the virtual machine's configuration")->required();
      },
      [] { return std::string(); });
  if (!status) out = std::move(a);
  return status;
}

}  // namespace vmxtool
