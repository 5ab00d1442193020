#include <algorithm>
#include <iostream>

#include "emmett2vp/emmett2vp.h"
#include "emmett2vp/src/ast/printer.h"
#include "emmett2vp/src/epp/preprocessor.h"
#include "emmett2vp/src/parser/parser.h"
#include "emmett2vp/src/passes/passes.h"
#include "emmett2vp/src/probes/symbol_file.h"
#include "emmett2vp/src/sema/external_types.h"
#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/sema/type_resolver.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

struct Compiler::State {
  Options opts;
  SourceManager sm;
  Diagnostics diags;
  EppOutput epp;
  ast::Program program;
  TypeTable types;
  ExternalTypes externals;  // before parsing: `$m.X` is a type or a value
  SymbolFile guestSymbols;
  SymbolTable symbols;
  LoweredVp vp;
  bool lowered = false;
  std::string scriptName;  // the first file, for the VP's header
  uint32_t scriptFile = 0;  // its SourceManager id

  void dump(const char* after) {
    if (opts.dumpAst) std::cerr << "=== AST after " << after << " ===\n" << printAst(program);
  }
};

Compiler::Compiler(Options opts) : s_(std::make_unique<State>()) { s_->opts = std::move(opts); }
Compiler::~Compiler() = default;

bool Compiler::preprocess(std::string source, const std::string& name) {
  std::vector<SourceFile> one;
  one.push_back({name, std::move(source)});
  return preprocess(std::move(one));
}

bool Compiler::preprocess(std::vector<SourceFile> files) {
  std::vector<uint32_t> ids;
  if (!files.empty()) s_->scriptName = files[0].name;
  for (auto& f : files) ids.push_back(s_->sm.add(std::move(f.name), std::move(f.text)));
  if (!ids.empty()) s_->scriptFile = ids[0];
  EppOptions eo;
  eo.defines = s_->opts.defines;
  eo.includeDirs = s_->opts.includeDirs;
  eo.versionNumber = s_->opts.target.major * 100 + s_->opts.target.minor;
  return emmett::preprocess(ids, s_->sm, eo, s_->diags, s_->epp) && !s_->diags.hasErrors();
}

bool Compiler::parse() {
  if (s_->diags.hasErrors()) return false;
  for (const auto& spec : s_->opts.symbolDatabases) s_->externals.load(spec, s_->sm, s_->diags);
  if (s_->diags.hasErrors()) return false;
  s_->types.setExternals(&s_->externals);
  bool ok = emmett::parse(s_->epp.text, s_->epp.map, s_->diags, s_->program, &s_->externals);
  s_->dump("parse");
  return ok && !s_->diags.hasErrors();
}

bool Compiler::check() {
  State& s = *s_;
  if (s.diags.hasErrors()) return false;
  if (!s.opts.symbolFile.empty()) {
    std::string text;
    if (!readFile(s.opts.symbolFile, text)) {
      s.diags.error({}) << "cannot read symbol file '" << s.opts.symbolFile << "'";
      return false;
    }
    s.guestSymbols.load(s.sm.add(s.opts.symbolFile, std::move(text)), s.sm, s.diags);
  }
  // The memory model decides pointer sizes, so it is read before any type.
  for (auto& item : s.program.items) {
    if (item->kind != ast::NodeKind::Memmodel) continue;
    auto& m = static_cast<ast::Memmodel&>(*item);
    if (m.model == "guest32") s.types.setPointerSize(4);
    else if (m.model == "guest64") s.types.setPointerSize(8);
    else s.diags.error(m.loc) << "unknown memory model '" << m.model << "' (expected guest32 or guest64)";
  }
  TypeResolver resolver(s.types, s.diags);
  resolveProbes(s.program, s.guestSymbols, s.externals, s.diags);
  resolveNames(s.program, resolver, s.symbols, s.guestSymbols, s.diags);
  s.dump("resolveNames");
  // The type checker tolerates unresolved names (they have the error type),
  // so type errors are reported along with name errors.
  checkTypes(s.program, resolver, s.symbols, s.diags);
  s.dump("checkTypes");
  if (s.diags.hasErrors()) return false;
  // "Each VP script must contain one or more probes" (VP reference): the
  // engine refuses one without, so say it here.
  bool anyProbe = std::any_of(s.program.items.begin(), s.program.items.end(),
                              [](const auto& item) { return item->kind == ast::NodeKind::Probe; });
  if (!anyProbe) {
    s.diags.error({s.scriptFile, 1, 1}) << "the script has no probes; VP runs a script only through its probes";
    return false;
  }
  markRecursion(s.program, s.symbols);
  return true;
}

bool Compiler::lower() {
  if (s_->diags.hasErrors()) return false;
  s_->lowered =
      lowerToVp(s_->program, s_->symbols, s_->types, s_->sm, s_->opts.target, s_->scriptName, s_->diags, s_->vp);
  return s_->lowered && !s_->diags.hasErrors();
}

Result Compiler::result() const {
  Result r;
  r.ok = s_->lowered && !s_->diags.hasErrors();
  if (r.ok) {
    r.vp = s_->vp.text;
    r.sourceMap = s_->vp.map;
  }
  r.version = s_->vp.version;
  r.messages = s_->diags.render(s_->sm);
  return r;
}

Result compileSource(std::string source, const std::string& name, const Options& opts) {
  Compiler c(opts);
  if (c.preprocess(std::move(source), name) && c.parse() && c.check()) c.lower();
  return c.result();
}

Result compileSources(std::vector<SourceFile> files, const Options& opts) {
  Compiler c(opts);
  if (c.preprocess(std::move(files)) && c.parse() && c.check()) c.lower();
  return c.result();
}

Result compileFile(const std::string& path, const Options& opts) {
  return compileFiles({path}, opts);
}

Result compileFiles(const std::vector<std::string>& paths, const Options& opts) {
  std::vector<SourceFile> files;
  Result r;
  for (const auto& path : paths) {
    files.push_back({path, {}});
    if (!readFile(path, files.back().text)) r.messages += "error: cannot read '" + path + "'\n";
  }
  if (!r.messages.empty()) return r;
  return compileSources(std::move(files), opts);
}

}  // namespace emmett
