// Turns what the VP engine says about VP that emmett generated into
// messages about the Emmett source, with the source map (vp_source_map.h).
// The engine names positions "NAME:LINE:COL: " where NAME is the name the
// VP was loaded under; `vprobe` loads the VP it compiled under a name of
// its own and passes the VM's messages through this.
#pragma once

#include <string>
#include <string_view>

#include "emmett2vp/vp_source_map.h"

namespace emmett {

class VpErrorMapper {
 public:
  VpErrorMapper(std::string vpName, VpSourceMap map) : vpName_(std::move(vpName)), map_(std::move(map)) {}

  // One line of the VM's vprobe.err. A line about the generated VP
  //   NAME:12:5: runtime error: division by zero (probe VMM1Hz, vcpu 0)
  // becomes
  //   f.emt:4:14: runtime error: division by zero (probe VMM1Hz, vcpu 0) [generated VP 12:5]
  // when the position maps back; any other line is returned as it is.
  std::string runtimeLine(std::string_view line) const;

  // A load diagnostic as the engine rendered it (a first line
  // "NAME:L:C: error: ...", then the VP line and a caret): returned as it
  // is, followed by "f.emt:4:14: note: the VP error above (generated VP
  // L:C) comes from here" when the position maps back.
  std::string loadDiagnostic(std::string_view diagnostic) const;

  const std::string& vpName() const { return vpName_; }

 private:
  // The origin of the VP position `line` starts with; `rest` is the text
  // after "NAME:L:C: ".
  bool origin(std::string_view line, SourcePosition& from, VpPosition& at, std::string_view& rest) const;

  std::string vpName_;
  VpSourceMap map_;
};

}  // namespace emmett
