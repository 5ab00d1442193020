#include "emmett2vp/src/support/line_map.h"

namespace emmett {

void LineMap::addLine(uint32_t file, uint32_t line) {
  lines_.push_back({file, line, static_cast<uint32_t>(segs_.size()), 0});
}

void LineMap::addSegment(uint32_t outCol, uint32_t origCol, bool flat) {
  if (lines_.empty()) return;
  segs_.push_back({outCol, origCol, flat});
  ++lines_.back().numSegs;
}

Location LineMap::map(uint32_t outLine, uint32_t outCol) const {
  if (lines_.empty()) return {};
  // A position just past the last line (end of input) maps to the last line.
  if (outLine == 0 || outLine > lines_.size()) outLine = static_cast<uint32_t>(lines_.size());
  const Line& l = lines_[outLine - 1];
  uint32_t col = outCol;
  for (uint32_t i = l.numSegs; i-- > 0;) {
    const Segment& s = segs_[l.firstSeg + i];
    if (s.outCol <= outCol) {
      col = s.flat ? s.origCol : s.origCol + (outCol - s.outCol);
      break;
    }
  }
  return {l.file, l.line, col};
}

}  // namespace emmett
