#include "flamegraph/flame_graph_svg.h"

#include <cstdio>

#include "flamegraph/src/flame_tree.h"
#include "flamegraph/src/zoom_script.h"

namespace flamegraph {

namespace {

constexpr double kPad = 10;         // pixels left and right of the frames
constexpr double kHeader = 52;      // title and subtitle
constexpr double kCharWidth = 7;    // Verdana 12, on average
constexpr unsigned kFontSize = 12;

struct Geometry {
  double plot;   // pixels for all samples
  double scale;  // pixels per sample
  double height;
  unsigned frame;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// flamegraph.pl's "hot" palette, the hue from the name so that a function
// keeps its color across graphs.
std::string color(const std::string& name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  unsigned r = 205 + unsigned(h % 50), g = unsigned((h >> 16) % 230), b = unsigned((h >> 32) % 55);
  return "rgb(" + std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + ")";
}

// As much of `name` as fits in `width` pixels, ".." marking a cut; empty
// when not even three characters fit. Never cuts a UTF-8 sequence.
std::string fitted(const std::string& name, double width) {
  double room = (width - 6) / kCharWidth;
  if (room < 3) return "";
  size_t n = static_cast<size_t>(room);
  if (name.size() <= n) return name;
  size_t cut = n - 2;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xc0) == 0x80) --cut;
  return name.substr(0, cut) + "..";
}

std::string share(uint64_t part, uint64_t total) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", total ? 100.0 * double(part) / double(total) : 0.0);
  return buf;
}

std::string frame(const FlameNode& node, uint64_t x, size_t depth, uint64_t total, const Geometry& g) {
  double px = kPad + double(x) * g.scale, width = double(node.samples) * g.scale;
  double y = g.height - kPad - double(depth + 1) * g.frame;
  std::string samples = std::to_string(node.samples) + (node.samples == 1 ? " sample, " : " samples, ");
  return "<g class=\"f\" data-x=\"" + std::to_string(x) + "\" data-w=\"" + std::to_string(node.samples) +
         "\"><title>" + xmlEscape(node.name + " (" + samples + share(node.samples, total) + ")") +
         "</title><rect x=\"" + num(px) + "\" y=\"" + num(y) + "\" width=\"" + num(width) +
         "\" height=\"" + std::to_string(g.frame - 1) + "\" rx=\"2\" fill=\"" + color(node.name) +
         "\"/><text x=\"" + num(px + 3) + "\" y=\"" + num(y + g.frame - 4) + "\">" +
         xmlEscape(fitted(node.name, width)) + "</text></g>\n";
}

std::string header(const SvgOptions& o, const Geometry& g) {
  std::string w = std::to_string(o.width), h = num(g.height);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"Verdana, sans-serif\" font-size=\"" +
         std::to_string(kFontSize) + "\">\n"
         "<style>g.f:hover rect { stroke: black; stroke-width: 0.5; cursor: pointer; }</style>\n"
         "<script type=\"text/ecmascript\"><![CDATA[\nvar PAD = " + num(kPad) + ", PLOT = " +
         num(g.plot) + ";" + kZoomScript + "]]></script>\n"
         "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"rgb(248,248,248)\"/>\n"
         "<text x=\"" + num(o.width / 2.0) + "\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">" +
         xmlEscape(o.title) + "</text>\n"
         "<text x=\"" + num(o.width / 2.0) + "\" y=\"42\" text-anchor=\"middle\" fill=\"rgb(96,96,96)\">" +
         xmlEscape(o.subtitle) + "</text>\n";
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string flameGraphSvg(const FoldedStacks& stacks, const SvgOptions& options) {
  FlameNode root = buildFlameTree(stacks);
  Geometry g;
  g.frame = options.frameHeight < 8 ? 8 : options.frameHeight;
  g.plot = options.width > 2 * kPad + 1 ? options.width - 2 * kPad : 1;
  g.scale = root.samples ? g.plot / double(root.samples) : 0;
  g.height = kHeader + double(flameDepth(root) + 1) * g.frame + kPad;
  std::string out = header(options, g);
  if (root.samples == 0) {
    out += "<text x=\"" + num(kPad) + "\" y=\"" + num(g.height - kPad - 4) + "\">No samples</text>\n";
  } else {
    forEachFrame(root, [&](const FlameNode& node, uint64_t x, size_t depth) {
      if (double(node.samples) * g.scale >= options.minWidth) out += frame(node, x, depth, root.samples, g);
    });
  }
  return out + "</svg>\n";
}

}  // namespace flamegraph
