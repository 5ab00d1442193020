// Second half of name resolution (private to name_resolver.cpp): walks
// function and probe bodies with block scopes. It runs twice: first to
// collect implicit declarations (so a function may read a global that a
// later probe assigns), then to bind every identifier and report unknown
// ones.
#pragma once

#include <unordered_map>

namespace emmett {
namespace {

class BodyResolver : public ast::Visitor<BodyResolver> {
 public:
  enum class Phase { CollectImplicit, Resolve };
  using Visitor::visit;

  BodyResolver(TypeResolver& t, SymbolTable& s, const SymbolFile& g, Diagnostics& d, Phase p)
      : types_(t), syms_(s), guest_(g), diags_(d), phase_(p) {}

  void visit(ast::Typedef&) {}
  void visit(ast::TypeDecl&) {}

  void visit(ast::VarDecl& n) {
    if (!owner_) {  // a global: only its initializer has names to bind
      dispatch(n.decl.init.get());
      return;
    }
    dispatch(n.decl.init.get());
    if (phase_ == Phase::CollectImplicit) return declareLocal(n.decl.name, &placeholder_);
    if (n.storage != ast::Storage::None)
      diags_.error(n.loc) << "storage classes (pervm, pervmk, perhost) are only allowed on global variables";
    const Type* t = types_.resolve(n.type, n.decl.pointers, n.decl.dims);
    if (!GlobalDeclarer::checkVarType(t, n.decl.name, n.decl.loc, diags_)) t = types_.table().error();
    Symbol s{Symbol::Kind::Local, n.decl.name, n.decl.loc, t};
    s.owner = ownerNode_;
    s.decl = &n;
    n.sym = syms_.make(std::move(s));
    ownerLocals().push_back(n.sym);
    if (scopes_.back().count(n.decl.name))
      diags_.error(n.decl.loc) << "redefinition of '" << n.decl.name << "' in the same block";
    declareLocal(n.decl.name, n.sym);
  }

  void visit(ast::FuncDef& n) {
    if (!n.body || !n.sym || n.sym->func != &n) return;
    owner_ = n.sym;
    ownerNode_ = &n;
    targetVars_.clear();
    scopes_.emplace_back();
    if (phase_ == Phase::Resolve) n.sym->params.clear();
    for (size_t i = 0; i < n.params.size(); ++i) param(n, n.params[i], static_cast<int>(i));
    dispatch(static_cast<ast::Stmt*>(n.body.get()));
    scopes_.pop_back();
    owner_ = nullptr;
  }

  void visit(ast::Probe& n) {
    owner_ = &probeOwner_;
    ownerNode_ = &n;
    targetVars_.clear();
    probeIndex_ = n.index;
    scopes_.emplace_back();
    if (phase_ == Phase::Resolve) checkProbeParams(n);
    for (size_t i = 0; i < n.params.size(); ++i) {
      auto& p = n.params[i];
      if (p.decl.name.empty()) continue;
      if (phase_ == Phase::CollectImplicit) {
        declareLocal(p.decl.name, &placeholder_);
        continue;
      }
      const Type* t = types_.resolve(p.type, p.decl.pointers, p.decl.dims);
      if (!t->isError() && !t->isScalar())
        diags_.error(p.decl.loc) << "probe parameter '" << p.decl.name << "' must be an integer or a pointer, not " << t->name;
      Symbol s{Symbol::Kind::ProbeParam, p.decl.name, p.decl.loc, t->isScalar() ? t : types_.table().error()};
      s.value = i;
      s.owner = &n;
      p.sym = syms_.make(std::move(s));
      declareLocal(p.decl.name, p.sym);
    }
    dispatch(n.body.get());
    scopes_.pop_back();
    owner_ = nullptr;
  }

  void visit(ast::Block& n) {
    scopes_.emplace_back();
    for (auto& s : n.stmts) dispatch(s.get());
    scopes_.pop_back();
  }

  void visit(ast::For& n) {
    scopes_.emplace_back();
    for (auto& s : n.init) dispatch(s.get());
    dispatch(n.cond.get());
    dispatch(n.step.get());
    dispatch(n.body.get());
    scopes_.pop_back();
  }

  void visit(ast::Ident& n) {
    if (isTargetVar(n.name)) return (void)(n.sym = targetVar(n));
    n.sym = lookup(n.name);
    if (!n.sym && phase_ == Phase::Resolve) diags_.error(n.loc) << "unknown identifier '" << n.name << "'";
    if (n.sym && n.sym->kind == Symbol::Kind::Function && phase_ == Phase::Resolve)
      diags_.error(n.loc) << "function '" << n.name << "' used as a value (call it)";
  }

  void visit(ast::Assign& n) {
    dispatch(n.rhs.get());
    if (n.op == "=" && n.lhs->kind == ast::NodeKind::Ident) implicitTarget(static_cast<ast::Ident&>(*n.lhs), false);
    dispatch(n.lhs.get());
  }

  void visit(ast::Call& n) {
    const BuiltinFunc* b = findBuiltinFunc(n.name);
    if (b && !b->args.empty() && b->args[0] == ArgKind::StrVar && !n.args.empty() &&
        n.args[0]->kind == ast::NodeKind::Ident)
      implicitTarget(static_cast<ast::Ident&>(*n.args[0]), true);
    for (auto& a : n.args) dispatch(a.get());
    if (phase_ != Phase::Resolve || b) return;
    Symbol* s = syms_.global(n.name);
    if (!s) {
      diags_.error(n.loc) << "unknown function '" << n.name << "'";
      return;
    }
    if (s->kind != Symbol::Kind::Function) {
      diags_.error(n.loc) << "'" << n.name << "' is not a function";
      return;
    }
    n.fn = s;
  }

  void visit(ast::IncDec& n) {
    implicitAggregate(*n.operand);
    dispatch(n.operand.get());
  }

  void visit(ast::Arrow& n) {
    dispatch(n.rhs.get());
    implicitAggregate(*n.lhs, histogramCall(*n.rhs) != nullptr);
    dispatch(n.lhs.get());
  }

  void visit(ast::Foreach& n) {
    implicitTarget(*n.key, false);
    implicitTarget(*n.value, false);
    dispatch(n.key.get());
    dispatch(n.value.get());
    dispatch(n.bag.get());
    dispatch(n.body.get());
  }

  void visit(ast::SizeofExpr& n) { dispatch(n.operand.get()); }

  // `&name` of an unknown name asks for a guest symbol: say so, and where
  // guest symbols come from.
  void visit(ast::Unary& n) {
    if (n.op != "&" || n.operand->kind != ast::NodeKind::Ident) return dispatch(n.operand.get());
    auto& id = static_cast<ast::Ident&>(*n.operand);
    if (isTargetVar(id.name) || lookup(id.name) || phase_ != Phase::Resolve) return dispatch(n.operand.get());
    if (guest_.loaded())
      diags_.error(id.loc) << "unknown guest symbol '" << id.name << "' (not in the symbol file given with -s)";
    else
      diags_.error(id.loc) << "unknown guest symbol '" << id.name << "' (give the guest's symbol file with -s)";
  }

  void visit(ast::Cast& n) {
    if (phase_ == Phase::Resolve) n.targetType = types_.resolve(n.target, n.pointers, {});
    dispatch(n.operand.get());
  }

  // `$args->x` and `$locals->x` (bpftrace's spelling) name the parameter or
  // local x, where the function has no variable called args or locals:
  // the slides' `$args->p2mCacheSize` is World_New's parameter `args`.
  void visit(ast::Member& n) {
    auto* id = n.base->kind == ast::NodeKind::Ident ? static_cast<ast::Ident*>(n.base.get()) : nullptr;
    if (!n.arrow || !id || (id->name != "$args" && id->name != "$locals") ||
        probeFunctionHas(types_.table().externals(), probe(), id->name.substr(1)))
      return dispatch(n.base.get());
    VarKind kind = id->name == "$args" ? VarKind::Param : VarKind::Local;
    n.targetVar = targetVar(n.field, id->name + "->" + n.field, kind, id->loc);
  }

 private:
  void param(ast::FuncDef& f, ast::Param& p, int index) {
    if (phase_ == Phase::CollectImplicit) {
      if (!p.decl.name.empty()) declareLocal(p.decl.name, &placeholder_);
      return;
    }
    if (p.decl.name.empty()) {
      diags_.error(p.loc) << "parameter " << index + 1 << " of '" << f.name << "' needs a name";
      return;
    }
    const Type* t = types_.resolve(p.type, p.decl.pointers, p.decl.dims);
    bool container = t->kind == Type::Kind::Aggr || t->kind == Type::Kind::Bag;
    if (!container && !GlobalDeclarer::checkVarType(t, p.decl.name, p.decl.loc, diags_)) t = types_.table().error();
    Symbol s{Symbol::Kind::Param, p.decl.name, p.decl.loc, t};
    s.owner = &f;
    s.index = index;
    p.sym = syms_.make(std::move(s));
    owner_->params.push_back(p.sym);
    if (scopes_.back().count(p.decl.name)) diags_.error(p.decl.loc) << "duplicate parameter '" << p.decl.name << "'";
    declareLocal(p.decl.name, p.sym);
  }

  void checkProbeParams(ast::Probe& n) {
    if (n.params.empty() || n.targets.empty()) return;
    size_t given = n.params.size();
    switch (n.probeKind) {
      case ast::ProbeKind::Periodic:
      case ast::ProbeKind::GuestData:
        diags_.error(n.params[0].loc) << "probe '" << n.name << "' has no arguments";
        return;
      case ast::ProbeKind::Guest:
        if (types_.table().pointerSize() == 8 && given > 6)
          diags_.error(n.params[6].loc) << "GUEST probes of a 64-bit guest take at most 6 parameters (the argument registers)";
        return;
      case ast::ProbeKind::Static:
      case ast::ProbeKind::GuestExit:  // return value, latency, entry RSP
        for (const auto& t : n.targets)
          if (given > t.nargs) {
            diags_.error(n.params[std::min<size_t>(t.nargs, given - 1)].loc)
                << "probe '" << t.vpName << "' has " << t.nargs << " argument" << (t.nargs == 1 ? "" : "s") << "; "
                << given << " parameter" << (given == 1 ? "" : "s") << " given";
            return;
          }
    }
  }

  std::vector<Symbol*>& ownerLocals() {
    return owner_ == &probeOwner_ ? syms_.probeLocals[probeIndex_] : owner_->locals;
  }

  void declareLocal(const std::string& name, Symbol* s) { scopes_.back()[name] = s; }

  // `x = ...`, `foreach (k, v)` and the string argument of sprintf &c.
  // declare x when nothing else does.
  void implicitTarget(ast::Ident& id, bool isString) {
    if (phase_ != Phase::CollectImplicit || isTargetVar(id.name) || lookup(id.name)) return;
    Symbol s{Symbol::Kind::Global, id.name, id.loc, isString ? types_.table().stringType() : types_.table().intType()};
    s.implicit = true;
    s.typed = isString;
    syms_.addGlobal(syms_.make(std::move(s)));
  }

  // `a[k, ...]++` and `a[k, ...] <- v` declare `a` when nothing else does:
  // an aggregate with that many keys, their kinds from the first use (as
  // `aggr a[N]`). The paper declares its aggregates, but users coming from
  // DTrace write `@a[k] = count()` without one. A bag is never implicit: it
  // has a size to choose. Too many keys are the type checker's to report,
  // at the use, as for any aggregate whose shape comes from its first use.
  // A histogram may have no keys at all (bpftrace's `@lat = hist(x)`):
  // `lat <- hist(x)` declares `lat` too.
  void implicitAggregate(ast::Expr& target, bool histogram = false) {
    if (phase_ != Phase::CollectImplicit) return;
    ast::Expr* base = &target;
    size_t keys = 0;
    if (target.kind == ast::NodeKind::Index) {
      auto& ix = static_cast<ast::Index&>(target);
      base = ix.base.get();
      keys = ix.keys.size();
    }
    if (base->kind != ast::NodeKind::Ident || (keys == 0 && !histogram)) return;
    auto& id = static_cast<ast::Ident&>(*base);
    if (lookup(id.name)) return;
    Symbol s{Symbol::Kind::Aggr, id.name, id.loc, types_.table().aggrType()};
    s.implicit = true;
    s.aggrTotal = static_cast<int>(keys);
    syms_.addGlobal(syms_.make(std::move(s)));
  }

  // `$name`, a variable of the probed guest function (`$demo.T` is a
  // database's, looked up as other names are).
  static bool isTargetVar(const std::string& name) {
    return name.starts_with('$') && name.find('.') == std::string::npos;
  }

  Symbol* targetVar(ast::Ident& id) { return targetVar(id.name.substr(1), id.name, VarKind::Any, id.loc); }

  // Resolved once per probe and spelling, so an error is reported once.
  Symbol* targetVar(const std::string& name, const std::string& spelled, VarKind kind, Location loc) {
    if (phase_ != Phase::Resolve) return nullptr;
    auto cached = targetVars_.find(spelled);
    if (cached != targetVars_.end()) return cached->second;
    std::string error;
    std::optional<TargetVar> v =
        probeTargetVar(types_.table().externals(), types_.table(), probe(), name, error, kind, spelled);
    if (!v) diags_.error(loc) << error;
    Symbol s{Symbol::Kind::TargetVar, spelled, loc, v ? v->type : types_.table().error()};
    if (v) s.place = v->place;
    return targetVars_[spelled] = syms_.make(std::move(s));
  }

  const ast::Probe* probe() const {
    return owner_ == &probeOwner_ ? static_cast<const ast::Probe*>(ownerNode_) : nullptr;
  }


  Symbol* lookup(const std::string& name) {
    for (size_t i = scopes_.size(); i-- > 0;) {
      auto it = scopes_[i].find(name);
      if (it != scopes_[i].end()) return it->second == &placeholder_ ? &placeholder_ : it->second;
    }
    if (Symbol* s = syms_.global(name)) return s;
    auto cached = others_.find(name);
    if (cached != others_.end()) return cached->second;
    Symbol* s = nullptr;
    // The 2011 compiler's constants (NULL, REG_*, VT_*) come first: old
    // scripts pass VT_* to getvmcs as field numbers, whatever the engine
    // names its own globals.
    if (auto v = predefinedConst(name)) {
      s = syms_.make({Symbol::Kind::EnumConst, name, {}, types_.table().intType()});
      s->value = *v;
    } else if (const auto* g = findBuiltinGlobal(name)) {
      s = syms_.make({Symbol::Kind::Builtin, name, {}, g->isString ? types_.table().stringType() : types_.table().intType()});
    } else if (const auto* c = types_.table().enumConst(name)) {
      s = syms_.make({Symbol::Kind::EnumConst, name, c->loc, types_.table().intType()});
      s->value = c->value;
    } else if (std::optional<uint64_t> a = guest_.find(name)) {
      s = syms_.make({Symbol::Kind::GuestSym, name, {}, types_.table().intType()});
      s->value = *a;
    }
    if (s) others_[name] = s;
    return s;
  }

  TypeResolver& types_;
  SymbolTable& syms_;
  const SymbolFile& guest_;
  Diagnostics& diags_;
  Phase phase_;
  std::vector<std::unordered_map<std::string, Symbol*>> scopes_;
  std::unordered_map<std::string, Symbol*> others_;
  std::unordered_map<std::string, Symbol*> targetVars_;  // this probe's `$name`s
  Symbol* owner_ = nullptr;  // the function, or probeOwner_ in a probe
  ast::Node* ownerNode_ = nullptr;
  Symbol probeOwner_;
  int probeIndex_ = 0;
  Symbol placeholder_;  // a local seen during CollectImplicit
};

}  // namespace
}  // namespace emmett
