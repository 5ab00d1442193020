// --folded and --flamegraph: vprobe reads its own output as it prints it,
// keeps the aggregates keyed by gueststack (flamegraph/stack_collector.h),
// and when the run ends writes them folded, or as an SVG flame graph, with
// frames named by the guest's symbols: -s SYMS, else the VM's
// vprobe.guestSyms, else hex addresses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "flamegraph/stack_collector.h"
#include "flamegraph/symbolizer.h"
#include "tools/vprobe/options.h"

namespace vprobe {

class StackOutputs {
 public:
  // False after printing why (unreadable or malformed symbols).
  bool open(const Options& options);
  bool wanted() const { return !folded_.empty() || !svg_.empty(); }
  // Output as it is printed; kept only when a file is wanted.
  void feed(std::string_view output) {
    if (wanted()) collector_.feed(output);
  }
  // The run ended: writes the files. False after printing why.
  bool write();

 private:
  std::string folded_, svg_, vmx_, script_;
  flamegraph::Symbolizer names_;
  flamegraph::StackCollector collector_;
};

}  // namespace vprobe
