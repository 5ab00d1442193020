// Where each piece of the VP that emmett generated came from in the Emmett
// source. The VP engine reports load and runtime errors at VP positions
// ("script.vp:12:5: runtime error: ..."); a tool that loads the generated
// VP (vprobe) uses this map to point the user at the Emmett line instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace emmett {

// A position in an Emmett source file (1-based line and byte column).
struct SourcePosition {
  std::string file;
  uint32_t line = 0;
  uint32_t col = 0;
};

// A VP position: 1-based line and byte column, as the engine counts them.
struct VpPosition {
  uint32_t line = 0;
  uint32_t col = 0;
};

class VpSourceMap {
 public:
  // Records that the VP text from `begin` up to (not including) `end` was
  // generated from `from`. Spans nest like the forms they cover; add outer
  // spans before the spans inside them.
  void add(VpPosition begin, VpPosition end, SourcePosition from);

  // The origin of the innermost span containing `at`; nothing when no span
  // does (the header comment, a blank line).
  std::optional<SourcePosition> find(VpPosition at) const;

  bool empty() const { return spans_.empty(); }
  size_t size() const { return spans_.size(); }

 private:
  struct Span {
    VpPosition begin, end;
    SourcePosition from;
  };
  std::vector<Span> spans_;
};

}  // namespace emmett
