#include "emmett2vp/src/passes/name_resolver.h"

#include "emmett2vp/src/ast/visitor.h"
#include "emmett2vp/src/probes/static_probes.h"
#include "emmett2vp/src/sema/builtins.h"
#include "emmett2vp/src/sema/const_eval.h"
#include "emmett2vp/src/sema/predefined.h"
#include "emmett2vp/src/sema/target_vars.h"

namespace emmett {
namespace {

const char* storageName(ast::Storage s) {
  switch (s) {
    case ast::Storage::PerVm: return "pervm";
    case ast::Storage::PerVmk: return "pervmk";
    case ast::Storage::PerHost: return "perhost";
    default: return "";
  }
}

// Declares top-level names (first half of the pass).
class GlobalDeclarer : public ast::Visitor<GlobalDeclarer> {
 public:
  using Visitor::visit;
  GlobalDeclarer(TypeResolver& t, SymbolTable& s, Diagnostics& d) : types_(t), syms_(s), diags_(d) {}

  void visit(ast::Typedef& n) {
    const Type* t = types_.resolve(n.type, n.decl.pointers, n.decl.dims);
    if (!types_.table().defineTypedef(n.decl.name, t) && types_.table().typedefType(n.decl.name) != t)
      diags_.error(n.decl.loc) << "conflicting typedef '" << n.decl.name << "'";
  }
  void visit(ast::TypeDecl& n) { types_.resolve(n.type, 0, {}); }
  void visit(ast::Memmodel&) {}

  void visit(ast::VarDecl& n) {
    const Type* t = types_.resolve(n.type, n.decl.pointers, n.decl.dims);
    if (!checkVarType(t, n.decl.name, n.decl.loc, diags_)) t = types_.table().error();
    bool shared = n.storage != ast::Storage::None;
    if (shared && !t->isScalar() && !t->isError()) {
      diags_.error(n.decl.loc) << "shared variable '" << n.decl.name << "' must be an integer ("
                               << storageName(n.storage) << " int " << n.decl.name << ")";
    }
    Symbol s{shared ? Symbol::Kind::Shared : Symbol::Kind::Global, n.decl.name, n.decl.loc, t};
    s.storage = n.storage;
    s.decl = &n;
    n.sym = declare(std::move(s));
  }

  void visit(ast::AggrDecl& n) {
    Symbol s{Symbol::Kind::Aggr, n.name, n.loc, types_.table().aggrType()};
    std::vector<uint64_t> dims;
    for (auto& d : n.dims) {
      auto v = evalConst(*d, types_.table(), &types_);
      if (!v) diags_.error(d->loc) << "the key count of aggregate '" << n.name << "' must be an integer constant";
      dims.push_back(v.value_or(0));
    }
    if (dims.size() > 2) diags_.error(n.loc) << "aggregate '" << n.name << "' has more than two dimensions ([integer keys][string keys])";
    if (dims.size() == 2) {
      const uint64_t most = kMaxAggrKeys;
      if (dims[0] > most || dims[1] > most) diags_.error(n.loc) << "aggregate '" << n.name << "' has more than 8 integer or string keys";
      s.aggrInts = static_cast<int>(std::min(dims[0], most));
      s.aggrStrs = static_cast<int>(std::min(dims[1], most));
      s.aggrTotal = s.aggrInts + s.aggrStrs;
    } else if (dims.size() == 1) {
      if (dims[0] > 16) diags_.error(n.loc) << "aggregate '" << n.name << "' has more than 16 keys";
      s.aggrTotal = static_cast<int>(std::min<uint64_t>(dims[0], 16));
    }
    n.sym = declare(std::move(s));
  }

  void visit(ast::BagDecl& n) {
    Symbol s{Symbol::Kind::Bag, n.name, n.loc, types_.table().bagType()};
    s.bagSize = kDefaultBagSize;
    if (n.size) {
      auto v = evalConst(*n.size, types_.table(), &types_);
      if (!v || *v == 0 || *v > (1u << 24)) diags_.error(n.size->loc) << "the size of bag '" << n.name << "' must be a constant from 1 to 16777216";
      else s.bagSize = *v;
    }
    n.sym = declare(std::move(s));
  }

  void visit(ast::FuncDef& n) {
    if (findBuiltinFunc(n.name)) {
      diags_.error(n.nameLoc) << "'" << n.name << "' is a built-in function and cannot be redefined";
      return;
    }
    const Type* ret = types_.resolve(n.ret, n.retPointers, {});
    if (ret->kind == Type::Kind::Record || ret->kind == Type::Kind::Array || ret->kind == Type::Kind::Aggr ||
        ret->kind == Type::Kind::Bag) {
      diags_.error(n.nameLoc) << "function '" << n.name << "' cannot return " << ret->name;
      ret = types_.table().error();
    }
    Symbol* existing = syms_.global(n.name);
    if (existing && existing->kind == Symbol::Kind::Function) {
      mergePrototype(*existing, n, ret);
      return;
    }
    Symbol s{Symbol::Kind::Function, n.name, n.nameLoc, ret};
    s.ret = ret;
    s.func = &n;
    s.defined = n.body != nullptr;
    n.sym = declare(std::move(s));
  }

  void visit(ast::Probe&) {}

  // Script variables hold integers, pointers or strings; structs and arrays
  // only exist in guest memory.
  static bool checkVarType(const Type* t, const std::string& name, Location loc, Diagnostics& diags) {
    if (t->isError()) return false;
    if (t->isVoid()) {
      diags.error(loc) << "variable '" << name << "' cannot be void";
      return false;
    }
    if (t->kind == Type::Kind::Record || t->kind == Type::Kind::Array) {
      diags.error(loc) << "variable '" << name << "' cannot have type " << t->name
                       << "; structs and arrays exist only in guest memory (declare a pointer)";
      return false;
    }
    return true;
  }

 private:
  void mergePrototype(Symbol& f, ast::FuncDef& n, const Type* ret) {
    if (n.body && f.defined) {
      diags_.error(n.nameLoc) << "redefinition of function '" << n.name << "'";
      return;
    }
    if (f.ret != ret || f.func->params.size() != n.params.size())
      diags_.error(n.nameLoc) << "conflicting declaration of function '" << n.name << "'";
    if (n.body) {
      f.func = &n;
      f.defined = true;
      f.loc = n.nameLoc;
    }
    n.sym = &f;
  }

  Symbol* declare(Symbol s) {
    if (findBuiltinGlobal(s.name)) {
      diags_.error(s.loc) << "'" << s.name << "' is a built-in variable and cannot be redefined";
      return nullptr;
    }
    if (Symbol* old = syms_.global(s.name)) {
      diags_.error(s.loc) << "redefinition of '" << s.name << "' (first declared at line " << old->loc.line << ")";
      return nullptr;
    }
    Symbol* p = syms_.make(std::move(s));
    syms_.addGlobal(p);
    return p;
  }

  TypeResolver& types_;
  SymbolTable& syms_;
  Diagnostics& diags_;
};

}  // namespace
}  // namespace emmett

#include "emmett2vp/src/passes/body_resolver.h"

namespace emmett {

void resolveNames(ast::Program& program, TypeResolver& types, SymbolTable& symbols,
                  const SymbolFile& guestSymbols, Diagnostics& diags) {
  GlobalDeclarer(types, symbols, diags).visit(program);
  // Functions without a body must be defined somewhere.
  for (Symbol* s : symbols.globals())
    if (s->kind == Symbol::Kind::Function && !s->defined)
      diags.error(s->loc) << "function '" << s->name << "' is declared but never defined";
  BodyResolver collect(types, symbols, guestSymbols, diags, BodyResolver::Phase::CollectImplicit);
  collect.visit(program);
  BodyResolver resolve(types, symbols, guestSymbols, diags, BodyResolver::Phase::Resolve);
  resolve.visit(program);
}

}  // namespace emmett
