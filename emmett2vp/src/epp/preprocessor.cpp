#include "emmett2vp/src/epp/preprocessor.h"

#include <filesystem>
#include <span>

#include "emmett2vp/src/epp/epp_expression.h"
#include "emmett2vp/src/epp/macro_expander.h"
#include "emmett2vp/src/epp/macro_table.h"

namespace emmett {
namespace {

namespace fs = std::filesystem;

// One open #if/#ifdef/#ifndef group.
struct Conditional {
  Location where;
  bool parentActive;  // is the text around the group being kept?
  bool taken;         // has a branch of this group been selected already?
  bool active;        // is the current branch being kept?
  bool sawElse;
};

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

// Removes comments from a directive line (strings are kept intact).
// An unterminated /* swallows the rest of the line and sets `inComment`.
std::string stripComments(std::string_view s, bool& inComment) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '"' || s[i] == '\'') {
      size_t n = literalLength(s, i);
      out.append(s.substr(i, n));
      i += n;
    } else if (s.substr(i, 2) == "//") {
      break;
    } else if (s.substr(i, 2) == "/*") {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) {
        inComment = true;
        break;
      }
      out += ' ';
      i = end + 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

class Preprocessor {
 public:
  Preprocessor(SourceManager& sm, const EppOptions& o, Diagnostics& d, EppOutput& out)
      : sm_(sm), opts_(o), diags_(d), out_(out), expander_(macros_) {}

  void run(std::span<const uint32_t> files) {
    macros_.define("__version__", {std::to_string(opts_.versionNumber), {}});
    macros_.define("__kvm__", {"1", {}});
    for (const auto& [name, value] : opts_.defines) macros_.define(name, {value, {}});
    size_t size = 0;
    for (uint32_t id : files) size += sm_.text(id).size();
    out_.text.reserve(size + size / 8);
    for (uint32_t id : files) {
      processFile(id, sm_.name(id));
      if (diags_.errorCount() > Diagnostics::kMaxErrors) break;
    }
  }

 private:
  // The state of one file being read.
  struct FileState {
    uint32_t id;          // where lines are quoted from
    uint32_t mapId;       // what positions report (differs after #line)
    std::string path;     // for resolving relative includes
    uint32_t lineDelta = 0;  // #line adjustment: reported = physical + delta
    bool inComment = false;
    std::vector<Conditional> conds;
    uint32_t lastLine = 0;  // the last physical line of the current (continued) line
  };

  bool active(const FileState& f) const { return f.conds.empty() || f.conds.back().active; }

  void processFile(uint32_t id, const std::string& path) {
    stack_.push_back(path);
    FileState f{id, id, path, 0, false, {}, 0};
    const std::string& text = sm_.text(id);
    uint32_t lineNo = 0;
    std::string joined;
    for (size_t pos = 0; pos < text.size();) {
      std::string_view line = nextLine(text, pos);
      uint32_t first = ++lineNo;
      if (!f.inComment && continues(line)) {
        // A line goes on after a backslash at the end of it, as in C (a
        // directive, a long string, a `//` comment); it is reported at its
        // first line, and lineNo keeps counting physical lines so the
        // lines after it keep their numbers.
        joined.assign(line.substr(0, line.find_last_of('\\')));
        while (pos < text.size()) {
          std::string_view next = nextLine(text, pos);
          ++lineNo;
          if (!continues(next)) {
            joined += next;
            break;
          }
          joined += next.substr(0, next.find_last_of('\\'));
        }
        line = joined;
      }
      f.lastLine = lineNo;
      processLine(f, line, first);
      if (diags_.errorCount() > Diagnostics::kMaxErrors) break;
    }
    for (const auto& c : f.conds) diags_.error(c.where) << "unterminated conditional directive";
    stack_.pop_back();
  }

  // The physical line at `pos` (without its newline); moves `pos` past it.
  static std::string_view nextLine(const std::string& text, size_t& pos) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    return line;
  }

  // Does the line end with a backslash (before any '\r')?
  static bool continues(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return !line.empty() && line.back() == '\\';
  }

  void processLine(FileState& f, std::string_view line, uint32_t lineNo) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = trim(line);
    if (!f.inComment && !t.empty() && t[0] == '#') {
      uint32_t col = static_cast<uint32_t>(t.data() - line.data() + 1);
      directive(f, t.substr(1), lineNo, col);
      return;
    }
    if (!active(f)) {
      trackComments(line, f.inComment);
      return;
    }
    emitLine(f, line, lineNo);
  }

  // Inactive text still opens and closes comments, so that a "#endif" inside
  // a comment is not taken as a directive.
  static void trackComments(std::string_view line, bool& inComment) {
    for (size_t i = 0; i < line.size();) {
      if (inComment) {
        size_t e = line.find("*/", i);
        if (e == std::string_view::npos) return;
        inComment = false;
        i = e + 2;
      } else if (line[i] == '"' || line[i] == '\'') {
        i += literalLength(line, i);
      } else if (line.substr(i, 2) == "//") {
        return;
      } else if (line.substr(i, 2) == "/*") {
        inComment = true;
        i += 2;
      } else {
        ++i;
      }
    }
  }

  void emitLine(FileState& f, std::string_view line, uint32_t lineNo) {
    out_.map.addLine(f.mapId, lineNo + f.lineDelta);
    segs_.clear();
    if (!expander_.expandLine(line, f.inComment, out_.text, segs_)) {
      diags_.error(here(f, lineNo, 1)) << "macro expansion of this line exceeds "
                                       << MacroExpander::kMaxExpandedLine << " bytes";
      out_.text.resize(out_.text.rfind('\n') == std::string::npos ? 0 : out_.text.rfind('\n') + 1);
    }
    for (const auto& s : segs_) out_.map.addSegment(s.outCol, s.origCol, s.flat);
    out_.text += '\n';
  }

  Location here(const FileState& f, uint32_t lineNo, uint32_t col) const {
    return {f.mapId, lineNo + f.lineDelta, col};
  }

  void directive(FileState& f, std::string_view rest, uint32_t lineNo, uint32_t hashCol) {
    size_t b = 0;
    while (b < rest.size() && (rest[b] == ' ' || rest[b] == '\t')) ++b;
    size_t e = b;
    while (e < rest.size() && isIdentChar(rest[e])) ++e;
    std::string_view name = rest.substr(b, e - b);
    uint32_t argCol = hashCol + 1 + static_cast<uint32_t>(e);
    bool ignoredComment = false;
    std::string args = stripComments(rest.substr(e), active(f) ? f.inComment : ignoredComment);
    std::string_view a = trim(args);
    Location at = here(f, lineNo, hashCol);
    Location argAt = here(f, lineNo, argCol + static_cast<uint32_t>(a.data() - args.data()));
    if (name == "if" || name == "ifdef" || name == "ifndef") return openIf(f, name, a, at, argAt);
    if (name == "elif") return elif(f, a, at, argAt);
    if (name == "else") return elseBranch(f, at);
    if (name == "endif") return endif(f, at);
    if (!active(f)) return;
    if (name.empty() && a.empty()) return;  // the null directive "#"
    if (name == "define") return define(a, argAt);
    if (name == "undef") return undef(a, argAt);
    if (name == "include") return include(f, a, at, argAt);
    if (name == "error") {
      diags_.error(at) << "#error " << std::string(a);
      return;
    }
    if (name == "warning") {
      diags_.warning(at) << "#warning " << std::string(a);
      return;
    }
    if (name == "line") return lineDirective(f, a, argAt);
    diags_.error(at) << "unknown preprocessor directive '#" << std::string(name) << "'";
  }

  // Reads an identifier at the start of `a`; empty if there is none.
  static std::string_view leadingIdent(std::string_view a) {
    if (a.empty() || !isIdentStart(a[0])) return {};
    size_t n = 1;
    while (n < a.size() && isIdentChar(a[n])) ++n;
    return a.substr(0, n);
  }

  void define(std::string_view a, Location at) {
    std::string_view name = leadingIdent(a);
    if (name.empty()) {
      diags_.error(at) << "#define needs a macro name";
      return;
    }
    std::string_view body = a.substr(name.size());
    if (!body.empty() && body[0] == '(') {
      diags_.error(at) << "macro '" << std::string(name)
                       << "' has arguments; EPP supports only object-like macros";
      return;
    }
    if (!body.empty() && body[0] != ' ' && body[0] != '\t') {
      diags_.error(at) << "expected white space after the macro name '" << std::string(name) << "'";
      return;
    }
    Macro m{std::string(trim(body)), at};
    std::string bodyCopy = m.body;
    const Macro* prev = macros_.define(std::string(name), std::move(m));
    if (prev && prev->body != bodyCopy)
      diags_.warning(at) << "'" << std::string(name) << "' redefined";
  }

  void undef(std::string_view a, Location at) {
    std::string_view name = leadingIdent(a);
    if (name.empty() || trim(a.substr(name.size())).size() != 0) {
      diags_.error(at) << "#undef needs exactly one macro name";
      return;
    }
    macros_.undefine(name);
  }

  void openIf(FileState& f, std::string_view kind, std::string_view a, Location at, Location argAt) {
    bool parent = active(f);
    bool value = false;
    if (parent) value = kind == "if" ? evaluate(a, argAt) : ifdef(kind == "ifdef", a, argAt);
    f.conds.push_back({at, parent, value, parent && value, false});
  }

  bool ifdef(bool wantDefined, std::string_view a, Location at) {
    std::string_view name = leadingIdent(a);
    if (name.empty() || trim(a.substr(name.size())).size() != 0) {
      diags_.error(at) << "#" << (wantDefined ? "ifdef" : "ifndef") << " needs exactly one macro name";
      return false;
    }
    return (macros_.find(name) != nullptr) == wantDefined;
  }

  void elif(FileState& f, std::string_view a, Location at, Location argAt) {
    if (f.conds.empty()) {
      diags_.error(at) << "#elif without #if";
      return;
    }
    Conditional& c = f.conds.back();
    if (c.sawElse) diags_.error(at) << "#elif after #else";
    if (c.taken || !c.parentActive) {
      c.active = false;
      return;
    }
    c.active = evaluate(a, argAt);
    c.taken = c.active;
  }

  void elseBranch(FileState& f, Location at) {
    if (f.conds.empty()) {
      diags_.error(at) << "#else without #if";
      return;
    }
    Conditional& c = f.conds.back();
    if (c.sawElse) diags_.error(at) << "#else after #else";
    c.sawElse = true;
    c.active = c.parentActive && !c.taken;
    c.taken = true;
  }

  void endif(FileState& f, Location at) {
    if (f.conds.empty()) {
      diags_.error(at) << "#endif without #if";
      return;
    }
    f.conds.pop_back();
  }

  // Replaces `defined X` / `defined(X)` by 0 or 1, then expands macros and
  // evaluates.
  bool evaluate(std::string_view a, Location at) {
    std::string resolved;
    for (size_t i = 0; i < a.size();) {
      if (isIdentStart(a[i])) {
        size_t n = wordLength(a, i);
        if (a.substr(i, n) != "defined") {
          resolved.append(a.substr(i, n));
          i += n;
          continue;
        }
        i += n;
        while (i < a.size() && (a[i] == ' ' || a[i] == '\t')) ++i;
        bool paren = i < a.size() && a[i] == '(';
        if (paren) ++i;
        while (i < a.size() && (a[i] == ' ' || a[i] == '\t')) ++i;
        std::string_view name = leadingIdent(a.substr(i));
        if (name.empty()) {
          diags_.error(at) << "'defined' needs a macro name";
          return false;
        }
        i += name.size();
        while (i < a.size() && (a[i] == ' ' || a[i] == '\t')) ++i;
        if (paren) {
          if (i >= a.size() || a[i] != ')') {
            diags_.error(at) << "expected ')' after 'defined(" << std::string(name) << "'";
            return false;
          }
          ++i;
        }
        resolved += macros_.find(name) ? " 1 " : " 0 ";
      } else if (a[i] >= '0' && a[i] <= '9') {
        size_t n = wordLength(a, i);
        resolved.append(a.substr(i, n));
        i += n;
      } else {
        resolved += a[i++];
      }
    }
    std::string expanded;
    if (!expander_.expandText(resolved, expanded)) {
      diags_.error(at) << "macro expansion of #if expression is too long";
      return false;
    }
    EppValue v = evaluateEppExpression(expanded);
    if (!v.ok) {
      diags_.error(at) << v.error;
      return false;
    }
    return v.value != 0;
  }

  void include(FileState& f, std::string_view a, Location at, Location argAt) {
    if (a.size() < 2 || !((a[0] == '"' && a.find('"', 1) != std::string_view::npos) ||
                          (a[0] == '<' && a.find('>', 1) != std::string_view::npos))) {
      diags_.error(argAt) << "#include expects \"FILE\" or <FILE>";
      return;
    }
    bool quoted = a[0] == '"';
    size_t close = a.find(quoted ? '"' : '>', 1);
    std::string name(a.substr(1, close - 1));
    if (!trim(a.substr(close + 1)).empty()) {
      diags_.error(argAt) << "extra text after #include file name";
      return;
    }
    std::string path = resolveInclude(name, quoted, f.path);
    if (path.empty()) {
      diags_.error(argAt) << "cannot find include file '" << name << "'";
      return;
    }
    if (stack_.size() >= EppOptions::kMaxIncludeDepth) {
      diags_.error(at) << "#include nested too deeply (limit " << EppOptions::kMaxIncludeDepth << ")";
      return;
    }
    std::string canon = canonical(path);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (canonical(stack_[i]) != canon) continue;
      std::string chain;
      for (size_t j = i; j < stack_.size(); ++j) chain += stack_[j] + " -> ";
      diags_.error(at) << "#include cycle: " << chain << path;
      return;
    }
    std::string text;
    if (!readFile(path, text)) {
      diags_.error(argAt) << "cannot read include file '" << path << "'";
      return;
    }
    uint32_t id = sm_.add(path, std::move(text));
    processFile(id, path);
  }

  static std::string canonical(const std::string& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    return ec ? p : c.string();
  }

  std::string resolveInclude(const std::string& name, bool quoted, const std::string& from) {
    std::error_code ec;
    if (!name.empty() && name[0] == '/') return fs::is_regular_file(name, ec) ? name : "";
    std::vector<std::string> dirs;
    if (quoted) {
      fs::path parent = fs::path(from).parent_path();
      dirs.push_back(parent.empty() ? "." : parent.string());
    }
    dirs.insert(dirs.end(), opts_.includeDirs.begin(), opts_.includeDirs.end());
    for (const auto& d : dirs) {
      fs::path p = fs::path(d) / name;
      if (fs::is_regular_file(p, ec)) {
        std::string s = p.lexically_normal().string();
        return s;
      }
    }
    return "";
  }

  void lineDirective(FileState& f, std::string_view a, Location at) {
    size_t n = 0;
    uint64_t value = 0;
    while (n < a.size() && a[n] >= '0' && a[n] <= '9' && value < (1u << 31)) value = value * 10 + (a[n++] - '0');
    std::string_view rest = trim(a.substr(n));
    if (n == 0 || value == 0 || value >= (1u << 31) ||
        (!rest.empty() && (rest.size() < 2 || rest.front() != '"' || rest.back() != '"'))) {
      diags_.error(at) << "#line expects a line number (1 to 2147483647) and an optional \"FILE\"";
      return;
    }
    // Positions after #line quote no source text: the numbering no longer
    // matches the file, so an alias entry with no text carries the name.
    std::string name = rest.empty() ? sm_.name(f.mapId) : std::string(rest.substr(1, rest.size() - 2));
    f.mapId = sm_.add(name, "");
    f.lineDelta = static_cast<uint32_t>(value) - (f.lastLine + 1);
  }

  SourceManager& sm_;
  const EppOptions& opts_;
  Diagnostics& diags_;
  EppOutput& out_;
  MacroTable macros_;
  MacroExpander expander_;
  std::vector<std::string> stack_;  // include chain, outermost first
  std::vector<MacroExpander::Segment> segs_;
};

}  // namespace

bool preprocess(std::span<const uint32_t> files, SourceManager& sm, const EppOptions& opts,
                Diagnostics& diags, EppOutput& out) {
  size_t before = diags.errorCount();
  Preprocessor(sm, opts, diags, out).run(files);
  return diags.errorCount() == before;
}

bool preprocess(uint32_t mainFile, SourceManager& sm, const EppOptions& opts,
                Diagnostics& diags, EppOutput& out) {
  return preprocess(std::span<const uint32_t>(&mainFile, 1), sm, opts, diags, out);
}

}  // namespace emmett
