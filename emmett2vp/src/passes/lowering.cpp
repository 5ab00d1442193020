#include "emmett2vp/src/passes/lowering.h"

#include <algorithm>
#include <filesystem>

#include "emmett2vp/src/passes/lowerer.h"
#include "emmett2vp/src/sema/const_eval.h"
#include "emmett2vp/src/vp/guest_reads.h"
#include "emmett2vp/src/vp/mangler.h"
#include "emmett2vp/src/vp/nesting.h"
#include "emmett2vp/src/vp/printer.h"

namespace emmett::lowering {

void Lowerer::need(int minor, const std::string& why, Location loc) {
  vp::Version v{1, minor};
  if (v <= version_) return;
  version_ = v;
  why_ = why;
  whyLoc_ = loc;
}

std::string Lowerer::comment(Location loc) const {
  return std::filesystem::path(sm_.name(loc.file)).filename().string() + ":" + std::to_string(loc.line);
}

std::string Lowerer::newTemp() {
  std::string name = "str." + std::to_string(++temps_);
  hoisted_.push_back({"", SExpr::call("defstring", {SExpr::sym(name)})});
  return name;
}

void Lowerer::run(ast::Program& program) {
  for (Symbol* s : syms_.globals()) s->vpName = vpName(s->name);
  for (auto& item : program.items)
    if (item->kind == ast::NodeKind::Probe)
      for (const auto& t : static_cast<ast::Probe&>(*item).targets) namedProbes_ |= !t.probeName.empty();
  lowerGlobals();
  for (auto& item : program.items) {
    if (item->kind != ast::NodeKind::FuncDef) continue;
    auto& f = static_cast<ast::FuncDef&>(*item);
    if (!f.body || !f.sym || f.sym->func != &f) continue;
    bool generic = false;
    for (Symbol* p : f.sym->params)
      if (p->type->kind == Type::Kind::Aggr || p->type->kind == Type::Kind::Bag) generic = true;
    if (!generic) lowerFunction(f, f.sym, f.sym->vpName);  // generic ones: per call (specialize)
  }
  for (auto& item : program.items)
    if (item->kind == ast::NodeKind::Probe) lowerProbe(static_cast<ast::Probe&>(*item));
  // Specializations requested while lowering may request more.
  for (size_t i = 0; i < specs_.size(); ++i) {
    Spec s = specs_[i];
    bindings_ = s.binds;
    lowerFunction(*s.fn->func, s.fn, s.name);
    bindings_.clear();
  }
  setProbeNames();
}

SExpr Lowerer::probeName() {
  if (!fn_ && probe_ && probe_->targets.size() == 1) {
    const std::string& n = probe_->targets[0].probeName;
    return n.empty() ? SExpr::sym("PROBENAME") : SExpr::str(n);
  }
  if (fn_) probeNameInFunctions_ = true;
  else probeNameInGlobs_.insert(probe_);
  return SExpr::sym("probe.name");
}

void Lowerer::setProbeNames() {
  if (!probeNameInFunctions_ && probeNameInGlobs_.empty()) return;
  hoisted_.push_back({"", SExpr::call("defstring", {SExpr::sym("probe.name")})});
  for (size_t i = 0; i < probes_.size(); ++i) {
    const ProbeOrigin& o = probeOrigins_[i];
    if (!probeNameInFunctions_ && !probeNameInGlobs_.count(o.probe)) continue;
    SExpr name = o.name.empty() ? SExpr::sym("PROBENAME") : SExpr::str(o.name);
    auto& items = probes_[i].second.items;
    items.insert(items.begin() + 2, SExpr::call("setstr", {SExpr::sym("probe.name"), std::move(name)}));
  }
}

void Lowerer::lowerGlobals() {
  for (Symbol* s : syms_.globals()) {
    SExpr name = SExpr::sym(s->vpName);
    std::vector<SExpr> args{name};
    ast::Expr* init = s->decl ? s->decl->decl.init.get() : nullptr;
    size_t before = globals_.size();
    switch (s->kind) {
      case Symbol::Kind::Global:
        if (init && s->type->isString() && init->kind == ast::NodeKind::StrLit)
          args.push_back(SExpr::str(static_cast<ast::StrLit&>(*init).value));
        else if (init)
          if (auto v = evalConst(*init, types_, nullptr)) args.push_back(SExpr::num(*v));
        globals_.push_back({"", SExpr::call(s->type->isString() ? "defstring" : "definteger", args)});
        break;
      case Symbol::Kind::Shared: {
        need(since("defshared"), "the shared variable '" + s->name + "'", s->loc);
        const char* scope = s->storage == ast::Storage::PerVmk ? "pervmk" : s->storage == ast::Storage::PerHost ? "perhost" : "pervm";
        args.push_back(SExpr::sym(scope));
        if (init)
          if (auto v = evalConst(*init, types_, nullptr)) args.push_back(SExpr::num(*v));
        globals_.push_back({"", SExpr::call("defshared", args)});
        break;
      }
      case Symbol::Kind::Aggr: {
        args.push_back(SExpr::num(static_cast<uint64_t>(s->vpIntKeys())));
        args.push_back(SExpr::num(static_cast<uint64_t>(s->vpStrKeys())));
        if (s->hist) {
          need(since("defhist"), "the histogram '" + s->name + "'", s->sampleLoc);
          if (s->hist->kind == vp::HistKind::Linear)
            for (int64_t v : {s->hist->min, s->hist->max, s->hist->step})  // signed, as written
              args.push_back(v < 0 ? SExpr::sym(std::to_string(v)) : SExpr::num(static_cast<uint64_t>(v)));
        }
        globals_.push_back({"", SExpr::call(s->hist ? "defhist" : "defaggr", args)});
        break;
      }
      case Symbol::Kind::Bag:
        args.push_back(SExpr::num(s->bagSize));
        globals_.push_back({"", SExpr::call("defbag", args)});
        break;
      default:
        break;
    }
    if (globals_.size() > before) globals_.back().second.loc = s->loc;
  }
}

// Locals get `owner.name`; a name reused in another block of the same
// owner gets a suffix.
void Lowerer::nameLocals(const std::vector<Symbol*>& locals) {
  for (Symbol* l : locals) {
    std::string n = vpLocalName(owner_, l->name);
    for (int i = 2; ownerNames_.count(n); ++i) n = vpLocalName(owner_, l->name + "." + std::to_string(i));
    ownerNames_.insert(n);
    l->vpName = n;
  }
}

void Lowerer::lowerFunction(ast::FuncDef& f, Symbol* fn, const std::string& name) {
  fn_ = fn;
  owner_ = name;
  let_ = fn->recursive;
  ownerNames_.clear();
  nameLocals(fn->locals);
  std::vector<SExpr> params;
  // Integer parameters the body writes are copied into locals (C passes
  // them by value). String parameters stay VP's references, as in VP and
  // the 2011 compiler: what the body writes reaches the caller's variable.
  std::vector<Symbol*> copies;
  for (Symbol* p : fn->params) {
    if (p->type->kind == Type::Kind::Aggr || p->type->kind == Type::Kind::Bag) continue;
    params.push_back(SExpr::sym(vpName(p->name)));
    if (p->written && !p->type->isString()) {
      copies.push_back(p);
      p->vpName = vpLocalName(owner_, p->name);
    } else {
      p->vpName = vpName(p->name);
    }
  }
  bool valueFn = fn->ret && !fn->ret->isVoid() && !fn->ret->isError();
  bool tail = !valueFn || complete(f.body.get());
  Exprs body = lowerBody(f.body.get(), tail);
  if (!tail) body.push_back(fn->ret->isString() ? SExpr::str("") : SExpr::num(0));
  // Locals and parameter copies: `let` bindings or per-thread globals.
  std::vector<SExpr> bindings;
  Exprs prologue;
  for (Symbol* p : copies) {
    SExpr init = SExpr::sym(vpName(p->name));
    if (let_) bindings.push_back(SExpr::list({SExpr::sym(p->vpName), init}));
    else {
      hoisted_.push_back({"", SExpr::call(p->type->isString() ? "defstring" : "definteger", {SExpr::sym(p->vpName)})});
      prologue.push_back(SExpr::call(p->type->isString() ? "setstr" : "setint", {SExpr::sym(p->vpName), init}));
    }
  }
  for (Symbol* l : fn->locals) {
    bool str = l->type->isString();
    if (let_) bindings.push_back(SExpr::list({SExpr::sym(l->vpName), str ? SExpr::str("") : SExpr::num(0)}));
    else hoisted_.push_back({"", SExpr::call(str ? "defstring" : "definteger", {SExpr::sym(l->vpName)})});
  }
  prologue.insert(prologue.end(), body.begin(), body.end());
  if (prologue.empty()) prologue.push_back(SExpr::num(0));
  std::vector<SExpr> form{SExpr::sym("defun"), SExpr::sym(name), SExpr::list(params)};
  if (!bindings.empty()) {
    need(since("let"), "the locals of the recursive function '" + fn->name + "'", f.loc);
    std::vector<SExpr> let{SExpr::sym("let"), SExpr::list(bindings)};
    let.insert(let.end(), prologue.begin(), prologue.end());
    form.push_back(SExpr::list(let));
  } else {
    form.insert(form.end(), prologue.begin(), prologue.end());
  }
  functions_.push_back({comment(f.nameLoc), SExpr::list(form)});
  functions_.back().second.loc = f.nameLoc;
  fn_ = nullptr;
}

void Lowerer::lowerProbe(ast::Probe& p) {
  if (p.targets.empty()) return;
  if (p.probeKind == ast::ProbeKind::GuestExit)
    need(vp::kGuestExitSince.minor, "the return probe '" + p.name + "'", p.loc);
  probe_ = &p;
  owner_ = "probe" + std::to_string(p.index);
  let_ = false;
  ownerNames_.clear();
  auto it = syms_.probeLocals.find(p.index);
  static const std::vector<Symbol*> none;
  const auto& locals = it == syms_.probeLocals.end() ? none : it->second;
  nameLocals(locals);
  for (Symbol* l : locals)
    hoisted_.push_back({"", SExpr::call(l->type->isString() ? "defstring" : "definteger", {SExpr::sym(l->vpName)})});
  Exprs body = lowerBody(p.body.get(), true);
  std::string where = comment(p.loc);
  if (p.targets.size() == 1) {
    std::vector<SExpr> form{SExpr::sym("vprobe"), SExpr::sym(p.targets[0].vpName)};
    form.insert(form.end(), body.begin(), body.end());
    probes_.push_back({where, SExpr::list(form)});
    probes_.back().second.loc = p.loc;
    probeOrigins_.push_back({&p, p.targets[0].probeName});
  } else {
    // A glob: the body once, as a function every matching probe calls.
    std::string fname = owner_ + ".body";
    std::vector<SExpr> def{SExpr::sym("defun"), SExpr::sym(fname), SExpr::list({})};
    def.insert(def.end(), body.begin(), body.end());
    if (body.empty()) def.push_back(SExpr::num(0));
    functions_.push_back({where + " (" + p.name + ")", SExpr::list(def)});
    functions_.back().second.loc = p.loc;
    for (const auto& t : p.targets) {
      probes_.push_back({"", SExpr::call("vprobe", {SExpr::sym(t.vpName), SExpr::call(fname, {})})});
      probes_.back().second.loc = p.loc;
      probeOrigins_.push_back({&p, t.probeName});
    }
  }
  probe_ = nullptr;
}

std::string Lowerer::text(std::vector<PrintedSpan>* spans) const {
  // Guest reads are spelled first: how depends on the final version, and
  // a VP 1.0 narrow read may need a temporary defined with the others.
  GuestReadSpeller reads(version_);
  auto spelled = [&](const std::vector<std::pair<std::string, SExpr>>& forms) {
    auto out = forms;
    for (auto& f : out) f.second = reads.spell(f.second);
    return out;
  };
  auto functions = spelled(functions_);
  auto probes = spelled(probes_);
  auto hoisted = hoisted_;
  if (reads.usesAddrTemp())
    hoisted.push_back({"", SExpr::call("definteger", {SExpr::sym(GuestReadSpeller::kAddrTemp)})});
  std::string out = "; generated by emmett from " + std::filesystem::path(mainFile_).filename().string() + "\n";
  if (version_ > vp::Version{1, 0}) out += "(version \"" + version_.str() + "\")\n";
  auto section = [&](const std::vector<std::pair<std::string, SExpr>>& forms, bool blankBetween) {
    if (forms.empty()) return;
    out += "\n";
    bool first = true;
    for (const auto& [c, f] : forms) {
      if (blankBetween && !first && !c.empty()) out += "\n";
      first = false;
      if (!c.empty()) out += "; " + c + "\n";
      printVp(f, out, spans);
      out += "\n";
    }
  };
  section(globals_, false);
  section(hoisted, false);
  section(functions, true);
  section(probes, true);
  return out;
}

}  // namespace emmett::lowering

namespace emmett {
namespace {

// Byte offsets of the printed text to the engine's 1-based lines and
// columns.
VpPosition positionAt(const std::vector<size_t>& lineStarts, size_t offset) {
  auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset);
  size_t line = static_cast<size_t>(it - lineStarts.begin());
  return {static_cast<uint32_t>(line), static_cast<uint32_t>(offset - lineStarts[line - 1] + 1)};
}

VpSourceMap buildSourceMap(const std::string& text, const std::vector<PrintedSpan>& spans, const SourceManager& sm) {
  std::vector<size_t> lineStarts{0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') lineStarts.push_back(i + 1);
  VpSourceMap map;
  for (const auto& s : spans) {
    SourcePosition from{sm.name(s.loc.file), s.loc.line, s.loc.col};
    map.add(positionAt(lineStarts, s.begin), positionAt(lineStarts, s.end), std::move(from));
  }
  return map;
}

}  // namespace

bool lowerToVp(ast::Program& program, SymbolTable& symbols, TypeTable& types, const SourceManager& sm,
               vp::Version target, const std::string& scriptName, Diagnostics& diags, LoweredVp& out) {
  lowering::Lowerer l(symbols, types, sm, scriptName);
  l.setTarget(target);
  l.run(program);
  if (l.version() > target) {
    diags.error(l.versionLoc()) << "this script needs VP " << l.version().str() << " (for " << l.versionReason()
                                << ") but the target engine is VP " << target.str();
    return false;
  }
  out.version = l.version();
  std::vector<PrintedSpan> spans;
  out.text = l.text(&spans);
  if (size_t deep = firstTooDeep(out.text); deep != std::string::npos) {
    diags.error(codeAt(spans, deep)) << "this code lowers to VP nested more than " << kMaxVpNesting
                                     << " lists deep, the VP engine's limit; split it into smaller expressions or functions";
    return false;
  }
  out.map = buildSourceMap(out.text, spans, sm);
  return true;
}

}  // namespace emmett
