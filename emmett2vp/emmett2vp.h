// emmett2vp: compiles Emmett, the C-like language of VProbes scripts, to VP,
// the language the VP engine loads (docs/vp-language.md; the language as
// implemented is described in docs/emmett.md).
//
//   emmett::Options opts;
//   emmett::Result r = emmett::compileFile("trace.emt", opts);
//   if (!r.ok) std::cerr << r.messages;   // file:line:col: error: ...
//   else use(r.vp);
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emmett2vp/vp_source_map.h"
#include "vp/version.h"

namespace emmett {

struct Options {
  std::vector<std::pair<std::string, std::string>> defines;  // -D NAME[=VAL]
  std::vector<std::string> includeDirs;                      // -I DIR
  std::string symbolFile;                                    // -s FILE (guest symbols)
  std::vector<std::string> symbolDatabases;                  // -T [NAME=]FILE (emmett-symdb's, for $NAME.T)
  vp::Version target = vp::kEngineVersion;  // the newest VP the engine accepts (-V); also __version__
  bool dumpAst = false;      // print the AST after each pass to stderr
};

// -D arguments as cc reads them: "NAME=VAL", or "NAME" meaning NAME=1;
// appended to `out`. False with `error` for an empty NAME.
bool parseDefines(const std::vector<std::string>& specs,
                  std::vector<std::pair<std::string, std::string>>& out, std::string& error);

struct Result {
  bool ok = false;
  std::string vp;          // the VP program when ok
  std::string messages;    // errors and warnings, rendered with source lines
  vp::Version version;     // the VP version the program needs
  VpSourceMap sourceMap;   // when ok: positions in `vp` back to the Emmett files
};

// One file of a script.
struct SourceFile {
  std::string name;  // what diagnostics call it; its includes resolve from its folder
  std::string text;
};

Result compileFile(const std::string& path, const Options& opts);
// `name` is what diagnostics call the file; includes resolve from its
// directory.
Result compileSource(std::string source, const std::string& name, const Options& opts);
// Several files as one script (vprobe a.emt b.emt): as if concatenated,
// each preprocessed in turn with the macros of those before it, and every
// position reported in the file it is in.
Result compileSources(std::vector<SourceFile> files, const Options& opts);
// The same, reading the files; one that cannot be read is an error.
Result compileFiles(const std::vector<std::string>& paths, const Options& opts);

// The same pipeline one stage at a time (for the benchmark). Each stage
// returns false when the compilation has errors so far.
class Compiler {
 public:
  explicit Compiler(Options opts);
  ~Compiler();
  bool preprocess(std::string source, const std::string& name);
  bool preprocess(std::vector<SourceFile> files);
  bool parse();
  bool check();  // symbols, probe names, types
  bool lower();
  Result result() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace emmett
