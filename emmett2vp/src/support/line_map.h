// Maps a position in EPP's output back to the original file, line and
// column. Each output line comes from exactly one input line; columns shift
// only where a macro was expanded, so lines without expansions store no
// column data and lookups are O(1) (plus a short scan on expanded lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emmett2vp/src/support/location.h"

namespace emmett {

class LineMap {
 public:
  // Starts output line number size()+1, copied from `file`:`line`.
  void addLine(uint32_t file, uint32_t line);
  // On the line added last: output column `outCol` (1-based) shows original
  // column `origCol`; when `flat`, every column up to the next segment shows
  // origCol (text produced by a macro expansion points at the macro's name).
  void addSegment(uint32_t outCol, uint32_t origCol, bool flat);
  Location map(uint32_t outLine, uint32_t outCol) const;
  size_t lines() const { return lines_.size(); }

 private:
  struct Line {
    uint32_t file, line, firstSeg, numSegs;
  };
  struct Segment {
    uint32_t outCol, origCol;
    bool flat;
  };
  std::vector<Line> lines_;
  std::vector<Segment> segs_;
};

}  // namespace emmett
