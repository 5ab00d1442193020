#include "flamegraph/src/flame_tree.h"

#include <algorithm>

namespace flamegraph {

namespace {

void addPath(FlameNode& root, const std::string& stack, uint64_t count) {
  root.samples += count;
  FlameNode* node = &root;
  for (size_t pos = 0; pos <= stack.size();) {
    size_t end = std::min(stack.find(';', pos), stack.size());
    std::string name = stack.substr(pos, end - pos);
    auto& slot = node->callees[name];
    if (!slot) {
      slot = std::make_unique<FlameNode>();
      slot->name = std::move(name);
    }
    node = slot.get();
    node->samples += count;
    pos = end + 1;
  }
}

void visitFrom(const FlameNode& node, uint64_t x, size_t depth,
               const std::function<void(const FlameNode&, uint64_t, size_t)>& visit) {
  visit(node, x, depth);
  for (const auto& [name, callee] : node.callees) {
    visitFrom(*callee, x, depth + 1, visit);
    x += callee->samples;
  }
}

}  // namespace

FlameNode buildFlameTree(const FoldedStacks& stacks) {
  FlameNode root;
  root.name = "all";
  for (const auto& [stack, count] : stacks) {
    if (count > 0 && !stack.empty()) addPath(root, stack, count);
  }
  return root;
}

size_t flameDepth(const FlameNode& root) {
  size_t deepest = 0;
  for (const auto& [name, callee] : root.callees) deepest = std::max(deepest, 1 + flameDepth(*callee));
  return deepest;
}

void forEachFrame(const FlameNode& root,
                  const std::function<void(const FlameNode&, uint64_t x, size_t depth)>& visit) {
  visitFrom(root, 0, 0, visit);
}

}  // namespace flamegraph
