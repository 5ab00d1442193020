// The Emmett compiler on any source text, as `emmett FILE` and `vprobe`
// see it. Users type Emmett, so whatever they type must get either VP or
// errors they can act on. Checked for every input:
//   - no crash, sanitizer report, uncaught exception or hang;
//   - a failed compilation says why: at least one error, and every error
//     is "FILE:LINE:COL: error: ..." at a place inside the file it names
//     (docs/emmett.md promises positions in the original file);
//   - a compilation that succeeds needs at most the target VP version and
//     its VP loads into the engine running as that version, with no
//     diagnostic at all, or is refused only for a limit docs/emmett.md
//     leaves to the engine (more than 32 probes, the code cache). Any other
//     refusal means the compiler printed VP the engine does not accept.
// A first byte below 0x08 chooses the target version (-V 1.0, 1.1, 1.2) and
// is not source; any other first byte is source, so plain scripts are
// inputs as they are.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "emmett2vp/emmett2vp.h"
#include "vp/vp.h"

namespace {

// A folder that does not exist: `#include "x"` finds nothing beside the
// input, so what is compiled is only what the fuzzer wrote.
const std::string kInputName = "/nonexistent-emmett-fuzz/input.emt";

struct Input {
  emmett::Options opts;
  std::string source;
};

Input decode(const uint8_t* data, size_t size) {
  Input in;
  if (size > 0 && data[0] < 0x08) {
    in.opts.target = vp::Version{1, data[0] % 4 == 3 ? 2 : data[0] % 4};
    ++data;
    --size;
  }
  in.source.assign(reinterpret_cast<const char*>(data), size);
  return in;
}

[[noreturn]] void fail(const std::string& what, const Input& in,
                       const std::string& detail) {
  std::fprintf(stderr, "%s\n--- target VP %s\n--- source\n%s\n--- detail\n%s\n",
               what.c_str(), in.opts.target.str().c_str(), in.source.c_str(),
               detail.c_str());
  std::abort();
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// One diagnostic's first line: "FILE:LINE:COL: error: ...", or without the
// position, or without the file.
struct Header {
  std::string file;
  uint32_t line = 0, col = 0;
  bool positioned = false;
  bool error = false;
};

// Reads a trailing ":DIGITS" off `s`: up to ten digits, as `#line` takes
// line numbers up to 2147483647.
bool takeNumber(std::string_view& s, uint32_t& out) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == s.size() ||
      s.size() - colon > 11) {
    return false;
  }
  uint64_t v = 0;
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(v);
  s = s.substr(0, colon);
  return true;
}

// The first ": error: " or ": warning: " after a "FILE:LINE:COL" (a
// #line file name may itself hold such text).
bool positionedHeader(std::string_view text, Header& h) {
  for (size_t at = text.find(": "); at != std::string_view::npos; at = text.find(": ", at + 1)) {
    std::string_view rest = text.substr(at);
    bool error = rest.starts_with(": error: ");
    if (!error && !rest.starts_with(": warning: ")) continue;
    std::string_view where = text.substr(0, at);
    if (!takeNumber(where, h.col) || !takeNumber(where, h.line)) continue;
    h.file = std::string(where);
    h.error = error;
    h.positioned = true;
    return true;
  }
  return false;
}

bool parseHeader(std::string_view text, Header& h) {
  if (positionedHeader(text, h)) return true;
  if (text.starts_with("error: ") || text.starts_with("warning: ")) {
    h.error = text.starts_with("error: ");
    return true;
  }
  size_t e = text.find(": error: "), w = text.find(": warning: ");
  if (e == std::string_view::npos && w == std::string_view::npos) return false;
  h.error = e < w;
  h.file = std::string(text.substr(0, h.error ? e : w));
  return true;
}

// What the checks need to know about the input text.
struct Source {
  std::vector<std::string_view> lines;  // as the compiler's SourceManager splits them
  std::vector<size_t> lineStarts;
  size_t size = 0;
  // `#line` renames and renumbers: positions then follow the directive,
  // not the text, and quote nothing.
  bool mayRenumber = false;
};

Source describe(const std::string& text) {
  Source s;
  s.size = text.size();
  s.lineStarts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') s.lineStarts.push_back(i + 1);
  for (size_t i = 0; i < s.lineStarts.size(); ++i) {
    size_t end = i + 1 < s.lineStarts.size() ? s.lineStarts[i + 1] - 1 : text.size();
    std::string_view line(text.data() + s.lineStarts[i], end - s.lineStarts[i]);
    if (line.ends_with('\r')) line.remove_suffix(1);
    s.lines.push_back(line);
  }
  // A directive name may be spliced across lines (`#li\` newline `ne`).
  std::string spliced;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) continue;
    if (text[i] == '\n' || text[i] == '\r') continue;
    spliced += text[i];
  }
  s.mayRenumber = spliced.find("line") != std::string::npos;
  return s;
}

// A position in the input: on one of its lines, and a column no further
// than the end of the text (a spliced line's columns run on past its first
// physical line).
bool insideInput(const Header& h, const Source& s) {
  if (h.line == 0 || h.col == 0 || h.line > s.lineStarts.size()) return false;
  return h.col <= s.size - s.lineStarts[h.line - 1] + 1;
}

bool isCaretLine(std::string_view line) {
  size_t caret = line.find_first_not_of(" \t");
  return caret != std::string_view::npos && caret + 1 == line.size() && line[caret] == '^';
}

// How many lines after a header quote the source: the line and the caret.
size_t quotedLines(const Header& h, const Source& s,
                   const std::vector<std::string_view>& msgs, size_t next) {
  if (h.file == kInputName && !s.mayRenumber && h.line <= s.lines.size())
    return s.lines[h.line - 1].empty() ? 0 : 2;
  // An included file or a #line alias: recognize the caret.
  return next + 1 < msgs.size() && isCaretLine(msgs[next + 1]) ? 2 : 0;
}

// Checks every diagnostic's header; returns the number of errors.
size_t checkMessages(const emmett::Result& r, const Input& in, const Source& s) {
  std::vector<std::string_view> msgs = splitLines(r.messages);
  size_t errors = 0;
  for (size_t i = 0; i < msgs.size();) {
    Header h;
    if (!parseHeader(msgs[i], h))
      fail("a diagnostic line is not FILE:LINE:COL: error|warning: ...", in, r.messages);
    ++i;
    if (!h.error) {
      if (h.positioned) i += quotedLines(h, s, msgs, i);
      continue;
    }
    ++errors;
    if (!h.positioned) fail("an error without a position", in, r.messages);
    if (h.file == kInputName && !s.mayRenumber && !insideInput(h, s))
      fail("an error positioned outside the input", in, r.messages);
    i += quotedLines(h, s, msgs, i);
  }
  return errors;
}

struct NullSink : vp::Sink {
  void output(uint64_t, std::string_view) override {}
  void error(uint64_t, std::string_view) override {}
};

// Refusals docs/emmett.md leaves to the engine.
bool documentedLimit(const vp::Diagnostic& d) {
  return d.severity == vp::Diagnostic::Severity::Error &&
         (d.message.starts_with("too many probes") || d.message.starts_with("script needs "));
}

void checkLoads(const emmett::Result& r, const Input& in) {
  if (r.version > in.opts.target)
    fail("the VP needs " + r.version.str() + ", newer than the target", in, r.vp);
  vp::Options opts;
  opts.version = in.opts.target;
  NullSink sink;
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(r.vp, "generated.vp", opts, sink, diags);
  std::string rendered;
  bool unexpected = false;
  for (const auto& d : diags) {
    rendered += d.render(r.vp);
    unexpected |= script != nullptr || !documentedLimit(d);
  }
  if (!script && diags.empty()) unexpected = true;
  if (unexpected) fail("the engine does not take the generated VP", in, r.vp + "\n--- engine\n" + rendered);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;  // longer inputs only slow the search down
  Input in = decode(data, size);
  emmett::Result r = emmett::compileSource(in.source, kInputName, in.opts);
  size_t errors = checkMessages(r, in, describe(in.source));
  if (!r.ok && errors == 0) fail("compilation failed without an error", in, r.messages);
  if (r.ok && errors != 0) fail("compilation succeeded with errors", in, r.messages);
  if (r.ok) checkLoads(r, in);
  return 0;
}
