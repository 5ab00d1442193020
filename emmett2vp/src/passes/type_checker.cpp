#include "emmett2vp/src/passes/type_checker.h"

#include "emmett2vp/src/ast/visitor.h"
#include "emmett2vp/src/sema/builtins.h"
#include "emmett2vp/src/sema/const_eval.h"
#include "emmett2vp/src/sema/format_check.h"
#include "emmett2vp/src/sema/predefined.h"

namespace emmett {
namespace {

using ast::ValueCat;

std::string plural(int n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

Symbol* identSym(const ast::Expr& e) {
  return e.kind == ast::NodeKind::Ident ? static_cast<const ast::Ident&>(e).sym : nullptr;
}

bool isKind(const ast::Expr& e, Symbol::Kind k) {
  Symbol* s = identSym(e);
  return s && s->kind == k;
}

// An aggregate or a bag by name, or a function parameter standing for one.
Symbol* containerSym(const ast::Expr& e, Type::Kind k) {
  Symbol* s = identSym(e);
  if (!s || !s->type || s->type->kind != k) return nullptr;
  return s;
}

class TypeChecker : public ast::Visitor<TypeChecker> {
 public:
  using Visitor::visit;
  TypeChecker(TypeResolver& t, Diagnostics& d, bool silent) : types_(t), table_(t.table()), diags_(d), silent_(silent) {}

  // ---- expressions ----

  void visit(ast::IntLit& e) { set(e, table_.intType()); }
  void visit(ast::StrLit& e) {
    set(e, table_.stringType());
    if (e.value.size() > 255) diags_.error(e.loc) << "string literal is longer than 255 bytes (VP's limit)";
    if (e.value.find('\0') != std::string::npos) diags_.error(e.loc) << "string literal contains a NUL byte";
  }

  void visit(ast::Ident& e) { symbolValue(e, e.sym); }

  void symbolValue(ast::Expr& e, Symbol* s) {
    if (!s || !s->type) return set(e, table_.error());
    using K = Symbol::Kind;
    bool script = s->kind == K::Global || s->kind == K::Shared || s->kind == K::Local ||
                  (s->kind == K::Param && s->type->kind != Type::Kind::Aggr && s->type->kind != Type::Kind::Bag);
    // A target variable in guest memory is read (and has an address) as
    // a guest object is; one in a register or a constant is a value.
    bool inGuest = s->kind == K::TargetVar && s->place.kind == TargetPlace::Kind::Memory;
    set(e, s->kind == K::Function ? table_.error() : s->type,
        script ? ValueCat::Script : inGuest ? ValueCat::Target : ValueCat::RValue);
  }

  void visit(ast::Unary& e) {
    const Type* t = check(*e.operand);
    if (t->isError()) return set(e, t);
    if (e.op == "*") return deref(e, t);
    if (e.op == "&") {
      if (isBitField(*e.operand)) {
        diags_.error(e.loc) << "cannot take the address of bit field '"
                            << static_cast<ast::Member&>(*e.operand).field << "'";
        return set(e, table_.error());
      }
      if (e.operand->cat == ValueCat::Target) return set(e, table_.pointerTo(t));
      // A guest symbol stands for its address already; `&sym` is the same
      // address, as the 2011 compiler wrote it (`offatret(&sys_getpid)`).
      if (isKind(*e.operand, Symbol::Kind::GuestSym)) return set(e, table_.intType());
      if (Symbol* s = identSym(*e.operand))
        diags_.error(e.loc) << "cannot take the address of " << symbolWhat(*s) << " '" << s->name << "'";
      else
        diags_.error(e.loc) << "cannot take the address of this expression";
      return set(e, table_.error());
    }
    if (!scalar(*e.operand, "operator '" + e.op + "'")) return set(e, table_.error());
    set(e, table_.intType());
  }

  static bool isBitField(const ast::Expr& e) {
    return e.kind == ast::NodeKind::Member && static_cast<const ast::Member&>(e).resolved &&
           static_cast<const ast::Member&>(e).resolved->bitSize != 0;
  }

  static const char* symbolWhat(const Symbol& s) {
    switch (s.kind) {
      case Symbol::Kind::EnumConst: return "constant";
      case Symbol::Kind::Builtin: return "built-in global";
      case Symbol::Kind::ProbeParam: return "probe parameter";
      case Symbol::Kind::Param: return "parameter";
      case Symbol::Kind::Aggr: return "aggregate";
      case Symbol::Kind::Bag: return "bag";
      case Symbol::Kind::TargetVar: return "guest variable";
      default: return "script variable";
    }
  }

  void visit(ast::Binary& e) {
    const Type* l = check(*e.lhs);
    const Type* r = check(*e.rhs);
    if (l->isError() || r->isError()) return set(e, table_.error());
    if (e.op == "==" || e.op == "!=") return equality(e);
    if (e.op == "+" && (l->isString() || r->isString())) return concatenation(e);
    if (!scalar(*e.lhs, "operator '" + e.op + "'") || !scalar(*e.rhs, "operator '" + e.op + "'"))
      return set(e, table_.error());
    l = decayed(*e.lhs);
    r = decayed(*e.rhs);
    if (e.op == "+" && (l->isPointer() || r->isPointer())) {
      if (l->isPointer() && r->isPointer()) {
        diags_.error(e.loc) << "cannot add two pointers";
        return set(e, table_.error());
      }
      return set(e, l->isPointer() ? l : r);
    }
    if (e.op == "-" && l->isPointer()) return set(e, r->isPointer() ? table_.intType() : l);
    set(e, table_.intType());
  }

  void visit(ast::Assign& e) {
    const Type* r = check(*e.rhs);
    inferImplicit(*e.lhs, *e.rhs);
    const Type* l = check(*e.lhs);
    set(e, l);
    if (l->isError() || r->isError() || !assignable(*e.lhs, e.op)) return;
    markWritten(*e.lhs);
    if (e.op == "+=" && l->isString()) {
      if (!stringish(*e.rhs)) {
        diags_.error(e.rhs->loc) << "'+=' on a string appends a string, got " << describeType(*e.rhs);
        set(e, table_.error());
      }
      toString(*e.rhs);
      return;
    }
    if (e.op != "=") {
      if (!scalar(*e.lhs, "operator '" + e.op + "'") || !scalar(*e.rhs, "operator '" + e.op + "'")) set(e, table_.error());
      return;
    }
    if (!compatible(l, *e.rhs)) {
      diags_.error(e.loc) << "cannot assign " << describe(*e.rhs) << " to " << target(*e.lhs) << " of type " << l->name;
      set(e, table_.error());
    }
  }

  void visit(ast::IncDec& e) {
    const char* op = e.increment ? "++" : "--";
    keyless(e.operand);
    if (e.operand->kind == ast::NodeKind::Index) {
      auto& ix = static_cast<ast::Index&>(*e.operand);
      if (Symbol* a = aggrBase(ix)) {
        if (checkAggrKeys(ix, *a)) plainSample(*a, e.loc);
        if (!e.increment) diags_.error(e.loc) << "aggregates can only be incremented ('++' adds a sample of 1)";
        return set(e, table_.intType());
      }
    }
    const Type* t = check(*e.operand);
    set(e, t);
    if (t->isError() || !assignable(*e.operand, op)) return;
    markWritten(*e.operand);
    if (!scalar(*e.operand, std::string("operator '") + op + "'")) set(e, table_.error());
  }

  void visit(ast::Ternary& e) {
    const Type* c = check(*e.cond);
    const Type* a = check(*e.then);
    const Type* b = check(*e.otherwise);
    if (c->isError() || a->isError() || b->isError()) return set(e, table_.error());
    if (!condition(*e.cond)) return set(e, table_.error());
    if (stringish(*e.then) && stringish(*e.otherwise)) {
      toString(*e.then);
      toString(*e.otherwise);
      return set(e, table_.stringType());
    }
    if (isScalarValue(*e.then) && isScalarValue(*e.otherwise)) {
      const Type* ta = decayed(*e.then);
      return set(e, ta->isPointer() && decayed(*e.otherwise) == ta ? ta : table_.intType());
    }
    diags_.error(e.loc) << "the branches of '?:' have different types: " << describeType(*e.then) << " and "
                        << describeType(*e.otherwise);
    set(e, table_.error());
  }

  void visit(ast::Call& e) {
    for (auto& a : e.args) {
      if (e.fn || !aggrOrBagName(*a)) check(*a);
      else set(*a, identSym(*a)->type);
    }
    if (e.fn) return userCall(e);
    if (const BuiltinFunc* b = findBuiltinFunc(e.name)) return builtinCall(e, *b);
    set(e, table_.error());
  }

  void visit(ast::Index& e) {
    if (Symbol* a = aggrBase(e)) {
      checkAggrKeys(e, *a);
      diags_.error(e.loc) << "aggregate '" << a->name << "' is write-only; add samples with '" << a->name
                          << "[...] <- value' or '" << a->name << "[...]++'";
      return set(e, table_.error());
    }
    if (Symbol* b = bagBase(e)) return set(e, checkBagKey(e, *b) ? table_.intType() : table_.error());
    const Type* base = check(*e.base);
    for (auto& k : e.keys) check(*k);
    if (base->isError()) return set(e, base);
    if (e.keys.size() != 1) {
      diags_.error(e.loc) << "an array or pointer takes one index, got " << e.keys.size();
      return set(e, table_.error());
    }
    const Type* p = decayed(*e.base);
    if (!p->isPointer()) {
      diags_.error(e.loc) << "cannot index " << describeType(*e.base);
      return set(e, table_.error());
    }
    if (!scalar(*e.keys[0], "an index")) return set(e, table_.error());
    deref(e, p);
  }

  void visit(ast::Member& e) {
    if (e.targetVar) return symbolValue(e, e.targetVar);
    const Type* b = check(*e.base);
    if (b->isError()) return set(e, b);
    const Type* rec = nullptr;
    if (e.arrow) {
      const Type* p = decayed(*e.base);
      if (!p->isPointer() || p->elem->kind != Type::Kind::Record) {
        diags_.error(e.loc) << "'->' needs a pointer to a struct or union, got " << describeType(*e.base);
        return set(e, table_.error());
      }
      rec = p->elem;
    } else {
      if (b->kind != Type::Kind::Record || e.base->cat != ValueCat::Target) {
        if (b->isPointer() && b->elem->kind == Type::Kind::Record)
          diags_.error(e.loc) << "'.' on a pointer (" << b->name << "); use '->'";
        else
          diags_.error(e.loc) << "'.' needs a struct or union, got " << describeType(*e.base);
        return set(e, table_.error());
      }
      rec = b;
    }
    if (!rec->record->complete) {
      diags_.error(e.loc) << rec->name << " is incomplete (its fields are not declared)";
      return set(e, table_.error());
    }
    const Field* f = rec->record->find(e.field);
    if (!f) {
      diags_.error(e.loc) << rec->name << " has no member '" << e.field << "'";
      return set(e, table_.error());
    }
    // A read covers the field's bytes, at most 8 (lowering, bitField).
    if (f->bitSize && f->bitShift + f->bitSize > 64) {
      diags_.error(e.loc) << "bit field '" << e.field << "' spans more than 8 bytes; it cannot be read";
      return set(e, table_.error());
    }
    e.resolved = f;
    set(e, f->type, ValueCat::Target);
  }

  void visit(ast::Cast& e) {
    const Type* from = check(*e.operand);
    const Type* to = e.targetType ? e.targetType : table_.error();
    if (from->isError() || to->isError()) return set(e, table_.error());
    if (to->isString()) {
      if (from->isString() || e.operand->type->isCharArray()) {
        toString(*e.operand);
        return set(e, to);
      }
      if (isScalarValue(*e.operand)) return set(e, to);  // read a C string from guest memory
    } else if (to->isScalar()) {
      if (isScalarValue(*e.operand)) return set(e, to);
    } else if (to->isVoid()) {
      return set(e, to);
    } else {
      diags_.error(e.loc) << "cannot cast to " << to->name;
      return set(e, table_.error());
    }
    diags_.error(e.loc) << "cannot cast " << describeType(*e.operand) << " to " << to->name;
    set(e, table_.error());
  }

  void visit(ast::SizeofType& e) {
    const Type* t = types_.resolve(e.target, e.pointers, {}, !silent_);
    set(e, table_.intType());
    if (t->isError()) return;
    if (t->isString() || t->isVoid() || typeSize(t) == 0) {
      diags_.error(e.loc) << "sizeof(" << t->name << ") is not defined";
      return;
    }
    e.value = typeSize(t);
  }

  void visit(ast::SizeofExpr& e) {
    const Type* t = check(*e.operand);
    set(e, table_.intType());
    if (t->isError()) return;
    if (t->isString() || t->isVoid() || t->kind == Type::Kind::Aggr || t->kind == Type::Kind::Bag) {
      diags_.error(e.loc) << "sizeof of " << t->name << " is not defined";
      return;
    }
    e.value = e.operand->cat == ValueCat::Target || t->isPointer() ? typeSize(t) : 8;
  }

  void visit(ast::Comma& e) {
    discarded(*e.lhs);
    const Type* t = check(*e.rhs);
    set(e, t);
  }

  // ---- statements ----

  void visit(ast::ExprStmt& n) { discarded(*n.expr); }

  void visit(ast::VarDecl& n) {
    if (!n.sym || !n.decl.init) return;
    const Type* t = n.sym->type;
    const Type* r = check(*n.decl.init);
    if (t->isError() || r->isError()) return;
    if (!function_ && !probe_) return globalInit(n);
    if (!compatible(t, *n.decl.init))
      diags_.error(n.decl.init->loc) << "cannot initialize '" << n.decl.name << "' of type " << t->name << " with "
                                     << describe(*n.decl.init);
  }

  void visit(ast::If& n) {
    checkCondition(*n.cond);
    dispatch(n.then.get());
    dispatch(n.otherwise.get());
  }
  void visit(ast::While& n) {
    checkCondition(*n.cond);
    loop(n.body.get());
  }
  void visit(ast::DoWhile& n) {
    loop(n.body.get());
    checkCondition(*n.cond);
  }
  void visit(ast::For& n) {
    for (auto& s : n.init) dispatch(s.get());
    if (n.cond) checkCondition(*n.cond);
    if (n.step) discarded(*n.step);
    loop(n.body.get());
  }

  void visit(ast::Foreach& n) {
    check(*n.bag);
    if (!n.bag->type->isError() && !containerSym(*n.bag, Type::Kind::Bag))
      diags_.error(n.bag->loc) << "foreach needs a bag, got '" << n.bag->name << "'";
    for (ast::Ident* v : {n.key.get(), n.value.get()}) {
      if (v->sym && v->sym->implicit && !v->sym->typed) {
        v->sym->type = table_.intType();
        v->sym->typed = true;
      }
      const Type* t = check(*v);
      if (!t->isError() && (v->cat != ValueCat::Script || !t->isScalar() || v->sym->kind == Symbol::Kind::Shared))
        diags_.error(v->loc) << "foreach variable '" << v->name << "' must be an integer variable";
      else
        markWritten(*v);
    }
    loop(n.body.get());
  }

  void visit(ast::Break& n) {
    if (loops_ == 0) diags_.error(n.loc) << "'break' outside a loop";
  }
  void visit(ast::Continue& n) {
    if (loops_ == 0) diags_.error(n.loc) << "'continue' outside a loop";
  }

  void visit(ast::Return& n) {
    const Type* v = n.value ? check(*n.value) : nullptr;
    if (v && v->isError()) return;
    if (probe_) {
      if (n.value) diags_.error(n.loc) << "a probe cannot return a value";
      return;
    }
    if (!function_ || !function_->sym) return;
    const Type* ret = function_->sym->ret;
    const std::string& name = function_->name;
    if (ret->isError()) return;
    if (ret->isVoid()) {
      if (n.value) diags_.error(n.loc) << "void function '" << name << "' cannot return a value";
      return;
    }
    if (!n.value) {
      diags_.error(n.loc) << "function '" << name << "' must return a value (" << ret->name << ")";
      return;
    }
    if (!compatible(ret, *n.value))
      diags_.error(n.value->loc) << "function '" << name << "' returns " << ret->name << ", not " << describeType(*n.value);
  }

  void visit(ast::Try& n) {
    dispatch(n.body.get());
    for (auto& c : n.catches) {
      for (auto& [name, loc] : c.errors)
        if (engineErrorName(name).empty())
          diags_.error(loc) << "unknown error '" << name << "' in catch (known: " << engineErrorNames() << ")";
      dispatch(c.body.get());
    }
  }

  void visit(ast::Arrow& n) {
    const ast::Call* h = histogramCall(*n.rhs);
    histSample_ = h;
    const Type* r = check(*n.rhs);
    keyless(n.lhs);
    if (n.lhs->kind == ast::NodeKind::Index) {
      auto& ix = static_cast<ast::Index&>(*n.lhs);
      Symbol* a = aggrBase(ix);
      Symbol* b = a ? nullptr : bagBase(ix);
      if (a || b) {
        bool ok = a ? checkAggrKeys(ix, *a) : checkBagKey(ix, *b);
        if (h && b) diags_.error(n.rhs->loc) << "'" << h->name << "()' adds to an aggregate, not to bag '" << b->name << "'";
        if (h && a && ok && !r->isError()) histogramSample(*a, *h);
        if (!h && a && ok) plainSample(*a, n.loc);
        if (h) return;
        if (ok && !r->isError() && !isScalarValue(*n.rhs))
          diags_.error(n.rhs->loc) << "the value stored with '<-' must be an integer, got " << describeType(*n.rhs);
        return;
      }
    }
    check(*n.lhs);
    diags_.error(n.loc) << "'<-' needs an aggregate or bag element on its left";
  }

  void visit(ast::FuncDef& n) {
    if (!n.body || !n.sym || n.sym->func != &n) return;
    function_ = &n;
    dispatch(static_cast<ast::Stmt*>(n.body.get()));
    function_ = nullptr;
  }
  void visit(ast::Probe& n) {
    probe_ = &n;
    dispatch(n.body.get());
    probe_ = nullptr;
  }

 private:
  void set(ast::Expr& e, const Type* t, ValueCat c = ValueCat::RValue) {
    e.type = t;
    e.cat = c;
  }
  const Type* check(ast::Expr& e) {
    dispatch(static_cast<ast::Node&>(e));
    if (!e.type) e.type = table_.error();
    return e.type;
  }

  // A value computed only to be dropped (a statement, the left of ',', a
  // for step) is still computed: VP has no value for an aggregate's or a
  // bag's bare name and refuses a script that reads one.
  void discarded(ast::Expr& e) {
    const Type* t = check(e);
    if (t->kind != Type::Kind::Aggr && t->kind != Type::Kind::Bag) return;
    // Only a name has such a type, or a comma ending in one: `(1, a)`.
    const ast::Expr* v = &e;
    while (v->kind == ast::NodeKind::Comma) v = static_cast<const ast::Comma*>(v)->rhs.get();
    Symbol* s = identSym(*v);
    std::string name = s ? s->name : "...";
    if (t->kind == Type::Kind::Aggr)
      diags_.error(v->loc) << "aggregate '" << name << "' is write-only; add samples with '" << name
                           << "[...] <- value' or '" << name << "[...]++'";
    else
      diags_.error(v->loc) << "bag '" << name << "' has no value; take a pair with '" << name
                           << "[key]' or insert one with '" << name << "[key] <- value'";
  }

  void deref(ast::Expr& e, const Type* p) {
    if (!p->isPointer()) {
      diags_.error(e.loc) << "cannot dereference " << p->name << " (cast it to a pointer type first)";
      return set(e, table_.error());
    }
    if (p->elem->isVoid()) {
      diags_.error(e.loc) << "cannot dereference a void pointer (cast it to a typed pointer first)";
      return set(e, table_.error());
    }
    if (p->elem->kind == Type::Kind::Record && !p->elem->record->complete) {
      diags_.error(e.loc) << p->elem->name << " is incomplete (its fields are not declared)";
      return set(e, table_.error());
    }
    set(e, p->elem, ValueCat::Target);
  }

  // Arrays in guest memory decay to a pointer to their first element.
  const Type* decayed(const ast::Expr& e) {
    if (e.type->kind == Type::Kind::Array && e.cat == ValueCat::Target) return table_.pointerTo(e.type->elem);
    return e.type;
  }
  bool isScalarValue(const ast::Expr& e) { return decayed(e)->isScalar(); }
  bool stringish(const ast::Expr& e) { return e.type->isString() || (e.type->isCharArray() && e.cat == ValueCat::Target); }
  void toString(ast::Expr& e) {
    if (e.type->isCharArray()) e.toString = true;
  }

  bool scalar(ast::Expr& e, const std::string& what) {
    if (isScalarValue(e)) return true;
    if (e.type->isError()) return false;
    diags_.error(e.loc) << what << " needs an integer, got " << describeType(e);
    return false;
  }
  bool condition(ast::Expr& e) {
    if (isScalarValue(e) || e.type->isError()) return true;
    diags_.error(e.loc) << "a condition must be an integer, got " << describeType(e);
    return false;
  }
  void checkCondition(ast::Expr& e) {
    check(e);
    condition(e);
  }
  void loop(ast::Stmt* body) {
    ++loops_;
    dispatch(body);
    --loops_;
  }

  std::string describeType(const ast::Expr& e) {
    if (e.type->isVoid()) return "no value (void)";
    if (e.type->kind == Type::Kind::Record && e.cat == ValueCat::Target) return "a whole " + e.type->name;
    return e.type->name;
  }
  std::string describe(const ast::Expr& e) { return describeType(e); }
  std::string target(const ast::Expr& e) {
    if (Symbol* s = identSym(e)) return "'" + s->name + "'";
    return "the left side";
  }

  // Whether a value of `e` can be stored where `t` is expected.
  bool compatible(const Type* t, ast::Expr& e) {
    if (t->isString()) {
      if (!stringish(e)) return false;
      toString(e);
      return true;
    }
    if (t->isScalar()) return isScalarValue(e);
    return false;
  }

  // `s + "b"`: string concatenation, as the 2011 compiler had it. Both sides
  // are strings (a guest char array reads as one); VP truncates the result
  // to 255 bytes, as it does every string.
  void concatenation(ast::Binary& e) {
    for (ast::Expr* side : {e.lhs.get(), e.rhs.get()})
      if (!stringish(*side)) {
        diags_.error(side->loc) << "'+' joins two strings, got " << describeType(*side)
                                << " (format an integer into a string with sprintf)";
        return set(e, table_.error());
      }
    toString(*e.lhs);
    toString(*e.rhs);
    set(e, table_.stringType());
  }

  void equality(ast::Binary& e) {
    if (stringish(*e.lhs) && stringish(*e.rhs) && (e.lhs->type->isString() || e.rhs->type->isString())) {
      toString(*e.lhs);
      toString(*e.rhs);
      return set(e, table_.intType());
    }
    if (isScalarValue(*e.lhs) && isScalarValue(*e.rhs)) return set(e, table_.intType());
    diags_.error(e.loc) << "cannot compare " << describeType(*e.lhs) << " with " << describeType(*e.rhs);
    set(e, table_.error());
  }

  // Script variables (not built-ins, parameters of probes, constants, or
  // guest memory) can be assigned.
  bool assignable(ast::Expr& lhs, const std::string& op) {
    if (lhs.cat == ValueCat::Script) return true;
    if (lhs.cat == ValueCat::Target) {
      diags_.error(lhs.loc) << "cannot assign to guest memory: VProbes scripts never modify the guest";
      return false;
    }
    if (Symbol* s = identSym(lhs)) {
      switch (s->kind) {
        case Symbol::Kind::ProbeParam:
          diags_.error(lhs.loc) << "cannot assign to probe parameter '" << s->name << "'";
          return false;
        case Symbol::Kind::Builtin:
          diags_.error(lhs.loc) << "cannot assign to built-in variable '" << s->name << "'";
          return false;
        case Symbol::Kind::EnumConst:
          diags_.error(lhs.loc) << "cannot assign to enum constant '" << s->name << "'";
          return false;
        case Symbol::Kind::GuestSym:
          diags_.error(lhs.loc) << "cannot assign to guest symbol '" << s->name << "'";
          return false;
        case Symbol::Kind::TargetVar:
          diags_.error(lhs.loc) << "cannot assign to guest variable '" << s->name
                                << "': VProbes scripts never modify the guest";
          return false;
        case Symbol::Kind::Aggr:
          diags_.error(lhs.loc) << "cannot assign to aggregate '" << s->name << "'; add samples with '<-'";
          return false;
        case Symbol::Kind::Bag:
          diags_.error(lhs.loc) << "cannot assign to bag '" << s->name << "'; insert with '<-'";
          return false;
        default:
          break;
      }
    }
    if (lhs.kind == ast::NodeKind::Index && bagBase(static_cast<ast::Index&>(lhs))) {
      diags_.error(lhs.loc) << "use '<-' to insert into a bag";
      return false;
    }
    diags_.error(lhs.loc) << "the left side of '" << op << "' is not assignable";
    return false;
  }

  void markWritten(ast::Expr& lhs) {
    if (Symbol* s = identSym(lhs); s && s->kind == Symbol::Kind::Param) s->written = true;
  }

  void inferImplicit(ast::Expr& lhs, ast::Expr& rhs) {
    Symbol* s = identSym(lhs);
    if (!s || !s->implicit || s->typed || rhs.type->isError() || rhs.type->isVoid()) return;
    if (stringish(rhs)) s->type = table_.stringType();
    else if (isScalarValue(rhs)) s->type = decayed(rhs)->isPointer() ? decayed(rhs) : table_.intType();
    else return;
    s->typed = true;
  }

  void globalInit(ast::VarDecl& n) {
    const Type* t = n.sym->type;
    if (t->isString()) {
      if (n.decl.init->kind != ast::NodeKind::StrLit)
        diags_.error(n.decl.init->loc) << "the initializer of global string '" << n.decl.name << "' must be a string literal";
      return;
    }
    if (!isScalarValue(*n.decl.init)) {
      diags_.error(n.decl.init->loc) << "cannot initialize '" << n.decl.name << "' of type " << t->name << " with "
                                     << describe(*n.decl.init);
      return;
    }
    if (!evalConst(*n.decl.init, table_, &types_))
      diags_.error(n.decl.init->loc) << "the initializer of global '" << n.decl.name << "' must be an integer constant";
  }

  // ---- aggregates and bags ----

  // `n <- 5` and `n++` on an aggregate name are a sample with no keys (the
  // 2011 compiler's `aggr n[0][0]`): the same as `n[] <- 5`, so the
  // aggregate's key count is checked as for any other use.
  void keyless(ast::ExprPtr& target) {
    if (!containerSym(*target, Type::Kind::Aggr)) return;
    Location loc = target->loc;
    auto ix = std::make_unique<ast::Index>(loc, std::move(target));
    ix->height = ix->base->height + 1;
    target = std::move(ix);
  }

  Symbol* aggrBase(ast::Index& ix) { return containerSym(*ix.base, Type::Kind::Aggr); }
  Symbol* bagBase(ast::Index& ix) { return containerSym(*ix.base, Type::Kind::Bag); }
  bool aggrOrBagName(const ast::Expr& e) {
    return containerSym(e, Type::Kind::Aggr) || containerSym(e, Type::Kind::Bag);
  }

  // Keys go to VP's integer or string key list by their type, in any
  // order; the counts must match the declaration (or the first use of an
  // `aggr a[N]`).
  bool checkAggrKeys(ast::Index& ix, Symbol& a) {
    set(*ix.base, a.type);
    set(ix, table_.intType());
    int ints = 0, strs = 0;
    bool ok = true;
    for (auto& k : ix.keys) {
      const Type* t = check(*k);
      if (t->isError()) ok = false;
      else if (stringish(*k)) toString(*k), ++strs;
      else if (isScalarValue(*k)) ++ints;
      else {
        diags_.error(k->loc) << "an aggregate key must be an integer or a string, got " << describeType(*k);
        ok = false;
      }
    }
    if (!ok || a.kind == Symbol::Kind::Param) return ok;
    if (a.aggrInts < 0) {
      if (ints + strs != a.aggrTotal) {
        diags_.error(ix.loc) << "aggregate '" << a.name << "' takes " << plural(a.aggrTotal, "key") << ", got " << ints + strs;
        return false;
      }
      if (ints > kMaxAggrKeys || strs > kMaxAggrKeys) {
        // The shape stays unknown, so every such use is reported.
        diags_.error(ix.loc) << "aggregate '" << a.name << "' has more than 8 integer or string keys";
        return false;
      }
      a.aggrInts = ints;
      a.aggrStrs = strs;
      a.aggrShapeLoc = ix.loc;
      return true;
    }
    if (ints == a.aggrInts && strs == a.aggrStrs) return true;
    auto err = diags_.error(ix.loc);
    err << "aggregate '" << a.name << "' takes " << plural(a.aggrInts, "integer key") << " and "
        << plural(a.aggrStrs, "string key");
    if (a.aggrShapeLoc.line) err << " (as first used at line " << a.aggrShapeLoc.line << ")";
    err << ", got " << plural(ints, "integer key") << " and " << plural(strs, "string key");
    return false;
  }

  // An aggregate's first sample decides whether it is a histogram; every
  // other sample must agree (VP's defhist and defaggr are different
  // aggregates). Through a parameter the aggregate is not known here.
  bool firstSample(Symbol& a, Location loc, std::optional<vp::HistShape> hist) {
    if (a.kind == Symbol::Kind::Param || a.sampled) return false;
    a.sampled = true;
    a.hist = hist;
    a.sampleLoc = loc;
    return true;
  }

  void plainSample(Symbol& a, Location loc) {
    if (firstSample(a, loc, std::nullopt) || !a.hist || a.kind == Symbol::Kind::Param) return;
    diags_.error(loc) << "aggregate '" << a.name << "' is a histogram (first filled at line " << a.sampleLoc.line
                      << "); add to it with '" << a.name << "[...] <- hist(value)' or keep other samples in another aggregate";
  }

  void histogramSample(Symbol& a, const ast::Call& h) {
    if (a.kind == Symbol::Kind::Param) {
      diags_.error(h.loc) << "'" << h.name << "()' must add to an aggregate by its name, not through parameter '" << a.name << "'";
      return;
    }
    std::optional<vp::HistShape> shape = histogramShape(h);
    if (!shape) return;
    if (a.aggrInts >= kMaxAggrKeys) {
      diags_.error(h.loc) << "histogram '" << a.name << "' has at most " << kMaxAggrKeys - 1
                          << " integer keys (its bucket is one more)";
      return;
    }
    if (firstSample(a, h.loc, shape) || a.hist == shape) return;
    auto err = diags_.error(h.loc);
    err << "aggregate '" << a.name << "' ";
    if (!a.hist) err << "takes plain samples";
    else err << "is a histogram of other buckets";
    err << " (first filled at line " << a.sampleLoc.line << "); a histogram like this needs an aggregate of its own";
  }

  // hist(x): powers of two; lhist(x, min, max, step): linear buckets whose
  // bounds are constants (read as signed), checked as the engine does.
  std::optional<vp::HistShape> histogramShape(const ast::Call& h) {
    if (!isLinearHistogramFunc(h.name)) return vp::HistShape{};
    if (h.args.size() != 4) return std::nullopt;  // reported as the call's arity
    int64_t bound[3];
    for (size_t i = 1; i < 4; ++i) {
      auto v = evalConst(*h.args[i], table_, &types_);
      if (!v) {
        diags_.error(h.args[i]->loc) << "the minimum, maximum and step of " << h.name << "() must be constants";
        return std::nullopt;
      }
      bound[i - 1] = static_cast<int64_t>(*v);
    }
    std::string_view why = vp::linearShapeError(bound[0], bound[1], bound[2]);
    if (!why.empty()) {
      diags_.error(h.loc) << "bad " << h.name << "(value, " << bound[0] << ", " << bound[1] << ", " << bound[2]
                          << "): " << why;
      return std::nullopt;
    }
    return vp::HistShape{vp::HistKind::Linear, bound[0], bound[1], bound[2]};
  }

  bool checkBagKey(ast::Index& ix, Symbol& b) {
    set(*ix.base, b.type);
    set(ix, table_.intType());
    for (auto& k : ix.keys) check(*k);
    if (ix.keys.size() != 1) {
      diags_.error(ix.loc) << "bag '" << b.name << "' takes one integer key, got " << ix.keys.size();
      return false;
    }
    if (ix.keys[0]->type->isError()) return false;
    if (!isScalarValue(*ix.keys[0])) {
      diags_.error(ix.keys[0]->loc) << "bag keys are integers, got " << describeType(*ix.keys[0]);
      return false;
    }
    return true;
  }

  // ---- calls ----

  void userCall(ast::Call& e) {
    Symbol& f = *e.fn;
    set(e, f.ret ? f.ret : table_.error());
    const auto& params = f.func->params;
    if (e.args.size() != params.size()) {
      diags_.error(e.loc) << "function '" << f.name << "' takes " << plural(static_cast<int>(params.size()), "argument")
                          << ", got " << e.args.size();
      return;
    }
    for (size_t i = 0; i < e.args.size(); ++i) {
      const Type* pt = params[i].sym ? params[i].sym->type : nullptr;
      ast::Expr& a = *e.args[i];
      if (!pt || pt->isError() || a.type->isError()) continue;
      std::string which = "argument " + std::to_string(i + 1) + " of '" + f.name + "'";
      if (pt->kind == Type::Kind::Aggr || pt->kind == Type::Kind::Bag) {
        if (!containerSym(a, pt->kind)) diags_.error(a.loc) << which << " must be " << (pt->kind == Type::Kind::Bag ? "a bag" : "an aggregate");
        continue;
      }
      if (aggrOrBagName(a)) {
        diags_.error(a.loc) << which << " must be " << pt->name << ", got " << a.type->name << " '" << identSym(a)->name << "'";
        continue;
      }
      if (!compatible(pt, a)) diags_.error(a.loc) << which << " must be " << kindName(pt) << ", got " << describeType(a);
    }
  }

  static std::string kindName(const Type* t) { return t->isString() ? "a string" : "an integer"; }

  void builtinCall(ast::Call& e, const BuiltinFunc& b) {
    set(e, table_.intType());
    size_t n = e.args.size();
    size_t max = b.args.size();
    if (n < b.minArgs || (!b.variadic && n > max)) {
      auto err = diags_.error(e.loc);
      err << "'" << e.name << "' takes ";
      if (b.variadic) err << "at least " << plural(static_cast<int>(b.minArgs), "argument");
      else if (b.minArgs == max) err << plural(static_cast<int>(max), "argument");
      else err << b.minArgs << " to " << max << " arguments";
      err << ", got " << n;
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      ast::Expr& a = *e.args[i];
      if (a.type->isError()) continue;
      std::string which = "argument " + std::to_string(i + 1) + " of '" + e.name + "'";
      if (i >= max) {
        variadicArg(a, which);
        continue;
      }
      builtinArg(a, b.args[i], which);
    }
    if ((e.name == "printf" || e.name == "sprintf") && n >= b.minArgs) checkFormat(e, b.minArgs - 1);
    if (e.name == "getguest" && n == 2) {
      auto v = evalConst(*e.args[1], table_, &types_);
      if (!v || (*v != 1 && *v != 2 && *v != 4 && *v != 8))
        diags_.error(e.args[1]->loc) << "the size argument of getguest must be the constant 1, 2, 4 or 8";
    }
    if (e.name == "writeint" && n == 2) {
      // A size computed at run time is the engine's to check (FormatError).
      auto v = evalConst(*e.args[1], table_, &types_);
      if (v && (*v < 1 || *v > 8)) diags_.error(e.args[1]->loc) << "writeint writes 1 to 8 bytes, not " << *v;
    }
    if (e.name == "printa" && n == 2) checkPrintaFormat(e);
    if (isHistogramFunc(e.name) && &e != histSample_)
      diags_.error(e.loc) << "'" << e.name << "()' has no value: it is what an aggregate takes, as in 'a[key] <- "
                          << e.name << "(value)'";
    if ((e.name == "getvmcs" || e.name == "getgpr") && n == 1) checkFieldReader(e);
    if (e.name == "setgpr" && n == 2) checkFieldReader(e);
    if (e.name == "setguest" && n == 3) {
      auto v = evalConst(*e.args[1], table_, &types_);
      if (!v || (*v != 1 && *v != 2 && *v != 4 && *v != 8))
        diags_.error(e.args[1]->loc) << "the size argument of setguest must be the constant 1, 2, 4 or 8";
    }
    if (e.name == "logaggr" && n == 2) {
      auto v = evalConst(*e.args[1], table_, &types_);
      if (!v || *v > 1)
        diags_.error(e.args[1]->loc) << "the second argument of logaggr must be the constant 0 (every statistic) or 1 (counts only)";
    }
  }

  // getvmcs(VT_EXIT_REASON) and getgpr(REG_RAX) read a built-in global, so
  // the field must be a constant the engine has a global for.
  // setgpr(REG_RAX, v) names its register the same way.
  void checkFieldReader(ast::Call& e) {
    bool vmcs = e.name == "getvmcs";
    auto v = evalConst(*e.args[0], table_, &types_);
    if (!v) {
      diags_.error(e.args[0]->loc) << "the argument of " << e.name << " must be a constant ("
                                   << (vmcs ? "a VT_* field" : "a REG_* register") << ")";
      return;
    }
    if (!(vmcs ? vmcsFieldGlobal(*v) : gprGlobal(*v)).empty()) return;
    if (vmcs)
      diags_.error(e.args[0]->loc) << "the engine has no built-in global for VMCS field 0x" << std::hex << *v
                                   << std::dec << "; getvmcs reads the fields named VT_* (docs/emmett.md)";
    else
      diags_.error(e.args[0]->loc) << "no register number " << *v << " (REG_RAX is 0 ... REG_R15 is 15)";
  }

  // The engine refuses a bad literal printa format at load time. The key
  // columns are the aggregate's shape (known after the silent first walk);
  // an aggregate parameter's is not known here.
  void checkPrintaFormat(ast::Call& e) {
    ast::Expr& f = *e.args[1];
    Symbol* a = containerSym(*e.args[0], Type::Kind::Aggr);
    if (f.kind != ast::NodeKind::StrLit || !a || a->kind != Symbol::Kind::Aggr) return;
    int nInt = a->vpIntKeys(), nStr = a->vpStrKeys();
    std::string err = printaFormatError(static_cast<ast::StrLit&>(f).value, nInt, nStr);
    if (!err.empty()) diags_.error(f.loc) << "bad printa format for aggregate '" << a->name << "': " << err;
  }

  void builtinArg(ast::Expr& a, ArgKind k, const std::string& which) {
    switch (k) {
      case ArgKind::Int:
        if (!isScalarValue(a)) diags_.error(a.loc) << which << " must be an integer, got " << describeType(a);
        return;
      case ArgKind::Str:
        if (!stringish(a)) diags_.error(a.loc) << which << " must be a string, got " << describeType(a);
        else toString(a);
        return;
      case ArgKind::StrVar:
        if (a.cat != ValueCat::Script || !a.type->isString()) diags_.error(a.loc) << which << " must be a string variable";
        else markWritten(a);
        return;
      case ArgKind::Aggr:
        if (!containerSym(a, Type::Kind::Aggr)) diags_.error(a.loc) << which << " must be an aggregate";
        return;
      case ArgKind::Shared:
        if (!isKind(a, Symbol::Kind::Shared))
          diags_.error(a.loc) << which << " must be a shared integer (declared pervm, pervmk or perhost)";
        return;
    }
  }

  void variadicArg(ast::Expr& a, const std::string& which) {
    if (stringish(a)) return toString(a);
    if (!isScalarValue(a)) diags_.error(a.loc) << which << " must be an integer or a string, got " << describeType(a);
  }

  void checkFormat(ast::Call& e, size_t fmtIndex) {
    ast::Expr& f = *e.args[fmtIndex];
    if (f.kind != ast::NodeKind::StrLit) return;  // checked by the engine at run time
    FormatInfo info = parsePrintfFormat(static_cast<ast::StrLit&>(f).value);
    if (!info.ok) {
      diags_.error(f.loc) << info.error;
      return;
    }
    size_t given = e.args.size() - fmtIndex - 1;
    if (given != info.wantsString.size()) {
      diags_.error(e.loc) << "the format of '" << e.name << "' expects " << plural(static_cast<int>(info.wantsString.size()), "argument")
                          << ", got " << given;
      return;
    }
    for (size_t i = 0; i < given; ++i) {
      ast::Expr& a = *e.args[fmtIndex + 1 + i];
      if (a.type->isError()) continue;
      bool isStr = stringish(a);
      if (isStr != info.wantsString[i])
        diags_.error(a.loc) << "'" << info.conversions[i] << "' in the format of '" << e.name << "' needs "
                            << (info.wantsString[i] ? "a string" : "an integer") << ", got " << describeType(a);
    }
  }

  TypeResolver& types_;
  TypeTable& table_;
  Diagnostics& diags_;
  ast::FuncDef* function_ = nullptr;
  ast::Probe* probe_ = nullptr;
  bool silent_;
  int loops_ = 0;
  const ast::Call* histSample_ = nullptr;  // the hist() call a `<-` adds
};

}  // namespace

void checkTypes(ast::Program& program, TypeResolver& types, SymbolTable& symbols, Diagnostics& diags) {
  // A first, silent walk gives implicit globals the type of their first
  // assignment in the file; the second walk reports with final types.
  Diagnostics scratch;
  TypeChecker(types, scratch, true).visit(program);
  for (Symbol* s : symbols.globals())
    if (s->implicit && !s->typed) s->typed = true;  // never assigned a value: integer
  TypeChecker(types, diags, false).visit(program);
}

}  // namespace emmett
