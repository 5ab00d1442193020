// Renders folded stacks as a flame graph: a self-contained SVG file that a
// browser opens. Each frame is a rectangle as wide as its share of the
// samples, on top of its caller (the root at the bottom), siblings sorted
// by name so equal stacks merge; its name is written in it when it fits,
// and a <title> gives name, samples and share on hover. A small inline
// script zooms into a frame on click (click the bottom bar to zoom out);
// without scripts the picture is the same, only static.
#pragma once

#include <string>

#include "flamegraph/folded_stacks.h"

namespace flamegraph {

struct SvgOptions {
  std::string title = "Flame Graph";
  std::string subtitle;   // e.g. the script and the VM; may be empty
  unsigned width = 1200;  // pixels
  unsigned frameHeight = 16;
  // Frames narrower than this (pixels) are left out, as flamegraph.pl does:
  // they cannot be read and would make the file large.
  double minWidth = 0.1;
};

// The SVG document. An empty profile gives a graph that says so.
std::string flameGraphSvg(const FoldedStacks& stacks, const SvgOptions& options = {});

// `text` with &, <, >, " and ' written as XML entities, for text and
// attribute values.
std::string xmlEscape(const std::string& text);

}  // namespace flamegraph
