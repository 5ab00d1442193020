// The folded stacks as a tree of frames, laid out for drawing: each frame's
// samples (its own and its callees'), its callees sorted by name, and its
// place along the x axis in samples. Internal to the SVG renderer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "flamegraph/folded_stacks.h"

namespace flamegraph {

struct FlameNode {
  std::string name;
  uint64_t samples = 0;  // this frame's and every callee's
  std::map<std::string, std::unique_ptr<FlameNode>> callees;  // sorted by name
};

// A root frame named "all" over every stack.
FlameNode buildFlameTree(const FoldedStacks& stacks);

// The deepest frame's depth (the root's is 0).
size_t flameDepth(const FlameNode& root);

// Calls `visit(node, x, depth)` for each frame, a caller before its
// callees, x the samples to its left. A callee's samples never exceed its
// caller's, so it lies within its caller's span.
void forEachFrame(const FlameNode& root,
                  const std::function<void(const FlameNode&, uint64_t x, size_t depth)>& visit);

}  // namespace flamegraph
