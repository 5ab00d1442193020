#include "tools/vprobe/stack_outputs.h"

#include <cstdio>

#include "flamegraph/flame_graph_svg.h"
#include "tools/vprobe/commands.h"
#include "vmx-client/config_file.h"
#include "vmx-client/vmx_config.h"

namespace vprobe {

namespace {

// The VM's vprobe.guestSyms, when its .vmx names one that can be read.
std::shared_ptr<const vp::GuestSymbols> vmxSymbols(const std::string& vmx) {
  vmx::VmxConfig config;
  std::vector<vmx::ConfigError> errors;
  if (!vmx::loadVmxConfig(vmx, config, errors)) return nullptr;
  return config.guestSymbols;
}

bool writeFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) fail("cannot write " + path);
  return ok;
}

}  // namespace

bool StackOutputs::open(const Options& o) {
  script_ = o.code ? "<command line>" : o.files[0];
  folded_ = o.foldedFile;
  svg_ = o.flameGraphFile;
  vmx_ = o.vmx;
  if (!wanted()) return true;
  if (o.symbolFile.empty()) {
    if (auto symbols = vmxSymbols(o.vmx)) names_ = flamegraph::Symbolizer(*symbols);
    return true;
  }
  std::string text, error;
  vp::GuestSymbols symbols;
  if (!vmx::readTextFile(o.symbolFile, text, error)) error = "cannot read " + o.symbolFile + ": " + error;
  else if (vp::GuestSymbols::parse(text, o.symbolFile, symbols, error)) error.clear();
  if (!error.empty()) {
    fail(error);
    return false;
  }
  names_ = flamegraph::Symbolizer(symbols);
  return true;
}

bool StackOutputs::write() {
  if (!wanted()) return true;
  collector_.finish();
  flamegraph::FoldedStacks stacks = collector_.folded(names_);
  if (stacks.empty()) {
    std::fprintf(stderr,
                 "vprobe: warning: no aggregate keyed by gueststack was printed in logaggr's format; "
                 "the stack files are empty\n");
  }
  bool ok = true;
  if (!folded_.empty()) ok = writeFile(folded_, flamegraph::foldedText(stacks)) && ok;
  if (!svg_.empty()) {
    flamegraph::SvgOptions options;
    options.subtitle = script_ + " in " + vmx_;
    ok = writeFile(svg_, flamegraph::flameGraphSvg(stacks, options)) && ok;
  }
  return ok;
}

}  // namespace vprobe
