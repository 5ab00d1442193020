// Picks the stack aggregates out of a script's output as it streams: every
// aggregate printed in logaggr's format (docs/vp-language.md; what vprobe
// prints at unload for aggregates the script never prints) with a string
// key holding `gueststack` values. vprobe feeds it what it prints and folds
// the result at the end of the run (--folded, --flamegraph).
//
// An aggregate printed more than once counts as its last print: VP
// aggregates accumulate, so the last print holds every sample. Owned and
// used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "flamegraph/folded_stacks.h"
#include "flamegraph/symbolizer.h"

namespace flamegraph {

class StackCollector {
 public:
  // Output in any pieces; a line is read once its '\n' arrives.
  void feed(std::string_view bytes);
  // The run ended: reads a last line that had no '\n'.
  void finish();

  // The names of the aggregates that hold stacks, sorted.
  std::vector<std::string> stackAggregates() const;

  // Every stack aggregate's rows, merged: per row, its other keys as root
  // frames (in logaggr's order: integer keys in hex, then string keys),
  // then the stack's frames root first, counted by the row's `count`. A row
  // whose stack key is not a stack gets the frame "[unknown]".
  FoldedStacks folded(const Symbolizer& names) const;

 private:
  struct Row {
    std::vector<uint64_t> ints;
    std::vector<std::string> strs;
    uint64_t count = 0;
  };
  struct Block {
    std::string name;
    size_t nInt = 0, nStr = 0;
    std::vector<Row> rows;
  };
  void line(std::string_view text);
  void endBlock();
  bool startBlock(std::string_view text);
  bool row(std::string_view text);
  // The string key holding stacks (the first that parses as one in some
  // row); false when none does.
  static bool stackKey(const Block& b, size_t& index);

  std::string partial_;
  bool inBlock_ = false;
  Block current_;
  std::map<std::string, Block> last_;  // by aggregate name: its last print
};

}  // namespace flamegraph
