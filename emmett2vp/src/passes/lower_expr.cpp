// Lowering of expressions (see lowerer.h).
#include "emmett2vp/src/passes/lowerer.h"
#include "emmett2vp/src/sema/builtins.h"
#include "emmett2vp/src/sema/const_eval.h"
#include "emmett2vp/src/sema/predefined.h"
#include "emmett2vp/src/vp/mangler.h"

namespace emmett::lowering {
namespace {

using ast::ValueCat;

Symbol* identSym(const ast::Expr& e) {
  return e.kind == ast::NodeKind::Ident ? static_cast<const ast::Ident&>(e).sym : nullptr;
}

// The element type a pointer or guest array steps over (void: bytes).
uint64_t stepOf(const Type* t) {
  const Type* e = (t->isPointer() || t->kind == Type::Kind::Array) ? t->elem : nullptr;
  if (!e || e->isVoid()) return 1;
  uint64_t s = typeSize(e);
  return s ? s : 1;
}

SExpr scale(SExpr v, uint64_t by) {
  uint64_t n = 0;
  if (by == 1) return v;
  if (v.isNumber(n)) return SExpr::num(n * by);
  return SExpr::call("*", {std::move(v), SExpr::num(by)});
}

// (+ a off), folding constants: (+ (+ p 8) 16) is (+ p 24), (+ (- p 64) 8)
// is (- p 56).
SExpr addOffset(SExpr a, uint64_t off) {
  uint64_t n = 0;
  if (off == 0) return a;
  if (a.isNumber(n)) return SExpr::num(n + off);
  if (a.isList("-") && a.items.size() == 3 && a.items[2].isNumber(n)) {
    if (n > off) return a.items[2] = SExpr::num(n - off), a;
    SExpr base = std::move(a.items[1]);
    return n == off ? base : SExpr::call("+", {std::move(base), SExpr::num(off - n)});
  }
  if (a.isList("+") && a.items.size() == 3 && a.items[2].isNumber(n)) {
    a.items[2] = SExpr::num(n + off);
    return a;
  }
  return SExpr::call("+", {std::move(a), SExpr::num(off)});
}

// (op a b), appending to (op ...) for VP's n-ary operators.
SExpr binop(const std::string& op, SExpr a, SExpr b) {
  static const std::set<std::string> nary = {"+", "*", "&", "|", "^", "&&", "||"};
  if (nary.count(op) && a.isList(op.c_str())) {
    a.items.push_back(std::move(b));
    return a;
  }
  return SExpr::call(op, {std::move(a), std::move(b)});
}

// Truncates (and for signed types sign-extends) to `size` bytes.
SExpr convertInt(SExpr v, uint64_t size, bool isSigned) {
  if (size >= 8) return v;
  uint64_t mask = (uint64_t{1} << (8 * size)) - 1;
  SExpr masked = SExpr::call("&", {std::move(v), SExpr::hex(mask)});
  if (!isSigned) return masked;
  uint64_t sign = uint64_t{1} << (8 * size - 1);
  return SExpr::call("-", {SExpr::call("^", {std::move(masked), SExpr::hex(sign)}), SExpr::hex(sign)});
}

bool isStr(const ast::Expr& e) { return e.type->isString() || e.toString; }

// Every form gets the location of the expression it computes unless a
// part of it already has a more precise one (the source map, printer.h).
SExpr located(SExpr v, Location loc) {
  if (!v.loc.line) v.loc = loc;
  return v;
}

}  // namespace

SExpr Lowerer::value(ast::Expr& e) {
  if (e.cat == ValueCat::Target) {
    const Type* t = e.type;
    if (e.kind == ast::NodeKind::Member && static_cast<ast::Member&>(e).resolved &&
        static_cast<ast::Member&>(e).resolved->bitSize)
      return located(bitField(static_cast<ast::Member&>(e)), e.loc);
    if (e.toString) return located(guestString(address(e), t->count), e.loc);
    if (t->kind == Type::Kind::Array || t->kind == Type::Kind::Record) return located(address(e), e.loc);
    unsigned size = static_cast<unsigned>(t->isPointer() ? types_.pointerSize() : t->size);
    return located(SExpr::guestRead(address(e), static_cast<uint8_t>(size), t->isInt() && t->isSigned && size < 8),
                   e.loc);
  }
  dispatch(static_cast<ast::Node&>(e));
  return located(std::move(result_), e.loc);
}

SExpr Lowerer::discarded(ast::Expr& e) {
  if (e.kind == ast::NodeKind::IncDec) return located(incdec(static_cast<ast::IncDec&>(e), true), e.loc);
  return value(e);
}

// A bit field: the fewest bytes (1, 2, 4 or 8) that hold it, shifted down
// and masked, sign-extended for a signed type.
SExpr Lowerer::bitField(ast::Member& m) {
  const Field& f = *m.resolved;
  unsigned bits = f.bitShift + f.bitSize;  // at most 64 (the type checker)
  uint8_t bytes = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
  SExpr v = SExpr::guestRead(address(m), bytes, false);
  if (f.bitShift) v = SExpr::call(">>", {std::move(v), SExpr::num(f.bitShift)});
  if (f.bitSize >= 64) return v;
  uint64_t mask = (uint64_t{1} << f.bitSize) - 1;
  if (bits < 8u * bytes) v = SExpr::call("&", {std::move(v), SExpr::hex(mask)});
  if (!f.type->isSigned) return v;
  uint64_t sign = uint64_t{1} << (f.bitSize - 1);
  return SExpr::call("-", {SExpr::call("^", {std::move(v), SExpr::hex(sign)}), SExpr::hex(sign)});
}

// The guest address of an object in guest memory.
SExpr Lowerer::address(ast::Expr& e) {
  switch (e.kind) {
    case ast::NodeKind::Unary:
      return value(*static_cast<ast::Unary&>(e).operand);
    case ast::NodeKind::Index: {
      auto& ix = static_cast<ast::Index&>(e);
      SExpr base = value(*ix.base);
      SExpr idx = value(*ix.keys[0]);
      uint64_t n = 0, size = typeSize(e.type);
      if (idx.isNumber(n)) return addOffset(std::move(base), n * size);
      return binop("+", std::move(base), scale(std::move(idx), size));
    }
    case ast::NodeKind::Member: {
      auto& m = static_cast<ast::Member&>(e);
      if (m.targetVar) return targetVarAddress(m.targetVar->place);
      uint64_t off = m.resolved ? m.resolved->offset : 0;
      return addOffset(m.arrow ? value(*m.base) : address(*m.base), off);
    }
    case ast::NodeKind::Ident: {
      Symbol* s = identSym(e);  // a target variable in guest memory
      return s && s->kind == Symbol::Kind::TargetVar ? targetVarAddress(s->place) : SExpr::num(0);
    }
    default:
      return SExpr::num(0);  // the type checker admits nothing else
  }
}

// `$name` in a register or a constant: the value, cut to its type's size
// (the register's upper bits are not the variable's).
SExpr Lowerer::targetVar(const Symbol& s) {
  const Type* t = s.type;
  uint64_t size = t->isPointer() ? types_.pointerSize() : t->size;
  bool isSigned = t->isInt() && t->isSigned;
  if (s.place.kind == TargetPlace::Kind::Constant) {
    auto v = static_cast<uint64_t>(s.place.offset);
    if (size < 8) v &= (uint64_t{1} << (8 * size)) - 1;
    if (isSigned && size < 8 && (v >> (8 * size - 1)) & 1) v |= ~uint64_t{0} << (8 * size);
    return v >> 63 ? SExpr::hex(v) : SExpr::num(v);
  }
  return convertInt(targetVarAddress(s.place), size, isSigned);
}

// `$name` in guest memory: register + offset, or a fixed address (also
// the value of one held as a register plus a constant).
SExpr Lowerer::targetVarAddress(const TargetPlace& p) {
  if (p.reg.empty()) return SExpr::hex(static_cast<uint64_t>(p.offset));
  if (p.offset < 0) return SExpr::call("-", {SExpr::sym(p.reg), SExpr::num(0 - static_cast<uint64_t>(p.offset))});
  return addOffset(SExpr::sym(p.reg), static_cast<uint64_t>(p.offset));
}

SExpr Lowerer::guestString(SExpr addr, uint64_t n) {
  std::string t = newTemp();
  std::vector<SExpr> args{SExpr::sym(t)};
  if (n) args.push_back(SExpr::num(n));
  args.push_back(std::move(addr));
  return SExpr::call("do", {SExpr::call("getgueststr", args), SExpr::sym(t)});
}

SExpr Lowerer::probeParam(Symbol* s) {
  static const char* regs[] = {"RDI", "RSI", "RDX", "RCX", "R8", "R9"};
  SExpr v;
  unsigned i = static_cast<unsigned>(s->value);
  if (probe_ && probe_->probeKind == ast::ProbeKind::Guest) {
    // Function arguments at a guest entry point: System V registers on a
    // 64-bit guest, the stack (cdecl) on a 32-bit one.
    if (types_.pointerSize() == 8) v = SExpr::sym(regs[std::min(i, 5u)]);
    else v = SExpr::guestRead(addOffset(SExpr::sym("RSP"), 4 * (i + 1)), 4, false);
  } else {
    v = SExpr::sym("ARG" + std::to_string(i));
  }
  // Like script variables, `int`/`long`/`unsigned` parameters are 64-bit
  // values; explicitly narrow types (uint32, int16, char...) truncate. A
  // 32-bit guest's stack slot is already 4 bytes wide.
  const Type* t = s->type;
  bool narrow = t->isInt() && (t->size < 4 || t->name == "int32" || t->name == "uint32");
  bool narrowRead = v.kind == SExpr::Kind::GuestRead;
  if (narrow && !(narrowRead && t->size >= 4 && !t->isSigned)) return convertInt(std::move(v), t->size, t->isSigned);
  return v;
}

SExpr Lowerer::ref(Symbol* s) {
  switch (s->kind) {
    case Symbol::Kind::ProbeParam: return probeParam(s);
    case Symbol::Kind::Builtin:
      if (s->name == "PROBENAME" && namedProbes_) return probeName();
      return SExpr::sym(s->name);
    case Symbol::Kind::EnumConst:
    case Symbol::Kind::GuestSym: return SExpr::num(s->value);
    case Symbol::Kind::TargetVar: return targetVar(*s);
    case Symbol::Kind::Param:
      if (Symbol* c = bindings_.count(s) ? bindings_.at(s) : nullptr) return SExpr::sym(c->vpName);
      return SExpr::sym(s->vpName);
    default: return SExpr::sym(s->vpName);
  }
}

// The global aggregate or bag an argument names (through the bindings of
// the specialization being lowered).
Symbol* Lowerer::container(ast::Expr& e) {
  Symbol* s = identSym(e);
  while (s && bindings_.count(s)) s = bindings_.at(s);
  return s;
}

void Lowerer::visit(ast::IntLit& e) { result_ = SExpr::num(e.value); }
void Lowerer::visit(ast::StrLit& e) { result_ = SExpr::str(e.value); }
void Lowerer::visit(ast::Ident& e) { result_ = ref(e.sym); }

void Lowerer::visit(ast::Unary& e) {
  if (e.op == "&") {
    Symbol* s = identSym(*e.operand);
    result_ = s && s->kind == Symbol::Kind::GuestSym ? ref(s) : address(*e.operand);
    return;
  }
  SExpr v = value(*e.operand);
  result_ = e.op == "+" ? std::move(v) : SExpr::call(e.op, {std::move(v)});
}

// The strings of a `+` chain, left to right: `a + b + c` is one sprintf.
static void stringTerms(ast::Expr& e, std::vector<ast::Expr*>& out) {
  if (e.kind == ast::NodeKind::Binary && e.type->isString() && static_cast<ast::Binary&>(e).op == "+") {
    auto& b = static_cast<ast::Binary&>(e);
    stringTerms(*b.lhs, out);
    stringTerms(*b.rhs, out);
    return;
  }
  out.push_back(&e);
}

// `(do (sprintf str.N "%s%s..." a b ...) str.N)`. VP's sprintf takes at most
// 32 values, so longer chains are joined in pieces.
SExpr Lowerer::concat(std::vector<SExpr> parts) {
  constexpr size_t kMaxValues = 32;
  while (parts.size() > kMaxValues) {
    std::vector<SExpr> head(std::make_move_iterator(parts.begin()), std::make_move_iterator(parts.begin() + kMaxValues));
    parts.erase(parts.begin() + 1, parts.begin() + kMaxValues);
    parts[0] = concat(std::move(head));
  }
  std::string t = newTemp();
  std::string fmt;
  for (size_t i = 0; i < parts.size(); ++i) fmt += "%s";
  std::vector<SExpr> args{SExpr::sym(t), SExpr::str(fmt)};
  for (auto& p : parts) args.push_back(std::move(p));
  return SExpr::call("do", {SExpr::call("sprintf", std::move(args)), SExpr::sym(t)});
}

void Lowerer::visit(ast::Binary& e) {
  if (e.op == "+" && e.type->isString()) {
    std::vector<ast::Expr*> terms;
    stringTerms(e, terms);
    std::vector<SExpr> parts;
    for (ast::Expr* t : terms) parts.push_back(value(*t));
    result_ = concat(std::move(parts));
    return;
  }
  if ((e.op == "==" || e.op == "!=") && isStr(*e.lhs)) {
    SExpr cmp = SExpr::call("strcmp", {value(*e.lhs), value(*e.rhs)});
    result_ = SExpr::call(e.op, {std::move(cmp), SExpr::num(0)});
    return;
  }
  bool lp = e.lhs->type->isPointer() || (e.lhs->type->kind == Type::Kind::Array && e.lhs->cat == ValueCat::Target);
  bool rp = e.rhs->type->isPointer() || (e.rhs->type->kind == Type::Kind::Array && e.rhs->cat == ValueCat::Target);
  SExpr a = value(*e.lhs), b = value(*e.rhs);
  if (e.op == "+" && (lp != rp)) {
    if (lp) b = scale(std::move(b), stepOf(e.lhs->type));
    else a = scale(std::move(a), stepOf(e.rhs->type));
  } else if (e.op == "-" && lp && !rp) {
    b = scale(std::move(b), stepOf(e.lhs->type));
  } else if (e.op == "-" && lp && rp && stepOf(e.lhs->type) != 1) {
    result_ = SExpr::call("/", {SExpr::call("-", {std::move(a), std::move(b)}), SExpr::num(stepOf(e.lhs->type))});
    return;
  }
  result_ = binop(e.op, std::move(a), std::move(b));
}

void Lowerer::visit(ast::Assign& e) {
  Symbol* s = identSym(*e.lhs);
  bool str = e.lhs->type->isString();
  SExpr rhs = value(*e.rhs);
  if (e.op == "+=" && str) {
    result_ = SExpr::call("setstr", {ref(s), concat({ref(s), std::move(rhs)})});
    return;
  }
  if (e.op != "=") {
    std::string op = e.op.substr(0, e.op.size() - 1);
    if ((op == "+" || op == "-") && e.lhs->type->isPointer()) rhs = scale(std::move(rhs), stepOf(e.lhs->type));
    rhs = binop(op, ref(s), std::move(rhs));
  }
  result_ = SExpr::call(str ? "setstr" : "setint", {ref(s), std::move(rhs)});
}

SExpr Lowerer::aggrSample(ast::Index& ix, SExpr v, std::optional<SExpr> bucket) {
  Symbol* a = container(*ix.base);
  std::vector<SExpr> ints, strs;
  for (auto& k : ix.keys) (isStr(*k) ? strs : ints).push_back(value(*k));
  if (bucket) ints.push_back(std::move(*bucket));
  return SExpr::call("aggr", {SExpr::sym(a->vpName), SExpr::list(std::move(ints)), SExpr::list(std::move(strs)), std::move(v)});
}

SExpr Lowerer::incdec(ast::IncDec& e, bool discard) {
  if (e.operand->kind == ast::NodeKind::Index && e.operand->cat != ValueCat::Target &&
      container(*static_cast<ast::Index&>(*e.operand).base) &&
      container(*static_cast<ast::Index&>(*e.operand).base)->kind == Symbol::Kind::Aggr)
    return aggrSample(static_cast<ast::Index&>(*e.operand), SExpr::num(1));
  Symbol* s = identSym(*e.operand);
  uint64_t step = e.operand->type->isPointer() ? stepOf(e.operand->type) : 1;
  const char* op = e.increment ? "+" : "-";
  SExpr set = SExpr::call("setint", {ref(s), SExpr::call(op, {ref(s), SExpr::num(step)})});
  if (e.prefix || discard) return set;
  // x++ as a value: the new value minus the step.
  return SExpr::call(e.increment ? "-" : "+", {std::move(set), SExpr::num(step)});
}

void Lowerer::visit(ast::IncDec& e) { result_ = incdec(e, false); }

void Lowerer::visit(ast::Ternary& e) {
  SExpr c = value(*e.cond);
  SExpr a = value(*e.then);
  SExpr b = value(*e.otherwise);
  result_ = SExpr::call("cond", {SExpr::list({std::move(c), std::move(a)}), SExpr::list({SExpr::num(1), std::move(b)})});
}

void Lowerer::visit(ast::Call& e) {
  if (e.fn) return userCall(e);
  builtinCall(e);
}

std::string Lowerer::specialize(Symbol* f, const std::map<Symbol*, Symbol*>& binds) {
  std::string name = f->vpName;
  for (Symbol* p : f->params)
    if (binds.count(p)) name += "." + binds.at(p)->vpName;
  name = fitName(name);
  if (specNames_.insert(name).second) specs_.push_back({f, binds, name});
  return name;
}

void Lowerer::userCall(ast::Call& e) {
  Symbol* f = e.fn;
  std::vector<SExpr> args;
  std::map<Symbol*, Symbol*> binds;
  for (size_t i = 0; i < e.args.size() && i < f->params.size(); ++i) {
    Symbol* p = f->params[i];
    if (p->type->kind == Type::Kind::Aggr || p->type->kind == Type::Kind::Bag) binds[p] = container(*e.args[i]);
    else args.push_back(value(*e.args[i]));
  }
  std::string name = binds.empty() ? f->vpName : specialize(f, binds);
  result_ = SExpr::call(name, std::move(args));
}

void Lowerer::builtinCall(ast::Call& e) {
  const BuiltinFunc* b = findBuiltinFunc(e.name);
  if (b->since > version_) need(b->since.minor, "'" + e.name + "'", e.loc);
  if (e.name == "getguest" && e.args.size() == 2) {
    // The size is a checked constant: the read is the same deferred read a
    // typed pointer makes, spelled for the version the whole script needs
    // (VP 1.0 reads 8 bytes, and narrow reads have a page-safe 1.0 form).
    auto size = evalConst(*e.args[1], types_, nullptr);
    if (size && (*size == 1 || *size == 2 || *size == 4 || *size == 8)) {
      result_ = located(SExpr::guestRead(value(*e.args[0]), static_cast<uint8_t>(*size), false), e.loc);
      return;
    }
    need(moreSince("getguest"), "the two-argument getguest", e.loc);
  }
  if (e.name == "getvmcs" || e.name == "getgpr") {
    uint64_t field = evalConst(*e.args[0], types_, nullptr).value_or(0);  // checked constant
    result_ = SExpr::sym(std::string(e.name == "getvmcs" ? vmcsFieldGlobal(field) : gprGlobal(field)));
    return;
  }
  if (e.name == "setgpr") {
    uint64_t reg = evalConst(*e.args[0], types_, nullptr).value_or(0);  // checked constant
    result_ = SExpr::call("setgpr", {SExpr::sym(std::string(gprGlobal(reg))), value(*e.args[1])});
    return;
  }
  if (e.name == "logaggr" && e.args.size() == 2) return logaggrForm(e);
  if (e.name == "gueststack" && e.args.size() == 2) need(moreSince("gueststack"), "gueststack with a depth", e.loc);
  std::vector<SExpr> args;
  for (size_t i = 0; i < e.args.size(); ++i) {
    ArgKind k = i < b->args.size() ? b->args[i] : ArgKind::Int;
    if (k == ArgKind::Aggr || k == ArgKind::Shared || k == ArgKind::StrVar) args.push_back(SExpr::sym(container(*e.args[i])->vpName));
    else args.push_back(value(*e.args[i]));
  }
  result_ = SExpr::call(e.name, std::move(args));
}

// logaggr(a, 1), the paper's profiler: keys, count and pct% only (the
// paper's counting outputs), a printa format; logaggr(a, 0) is logaggr(a).
void Lowerer::logaggrForm(ast::Call& e) {
  Symbol* a = container(*e.args[0]);
  SExpr name = SExpr::sym(a->vpName);
  if (evalConst(*e.args[1], types_, nullptr).value_or(0) == 0) {
    result_ = SExpr::call("logaggr", {std::move(name)});
    return;
  }
  need(since("printa"), "logaggr with counts only (printa)", e.loc);
  int ints = a->vpIntKeys(), strs = a->vpStrKeys();
  std::string fmt;
  for (int k = 0; k < ints + strs; ++k) fmt += "%" + std::to_string(k) + (k < ints ? "$#x " : "$s ");
  fmt += "%count$8d %pct$6d";
  result_ = SExpr::call("printa", {std::move(name), SExpr::str(fmt)});
}

void Lowerer::visit(ast::Index& e) {
  // Guest arrays and pointers are Target values (see value()); what is left
  // is reading a bag, which removes the pair.
  Symbol* b = container(*e.base);
  result_ = SExpr::call("bagremove", {SExpr::sym(b ? b->vpName : "?"), value(*e.keys[0])});
}

void Lowerer::visit(ast::Member& e) { result_ = e.targetVar ? ref(e.targetVar) : address(e); }

void Lowerer::visit(ast::Cast& e) {
  const Type* to = e.targetType;
  if (to->isString()) {
    if (isStr(*e.operand)) result_ = value(*e.operand);
    else result_ = guestString(value(*e.operand), 0);
    return;
  }
  SExpr v = value(*e.operand);
  result_ = to->isInt() ? convertInt(std::move(v), to->size, to->isSigned) : std::move(v);
}

void Lowerer::visit(ast::SizeofType& e) { result_ = SExpr::num(e.value); }
void Lowerer::visit(ast::SizeofExpr& e) { result_ = SExpr::num(e.value); }

void Lowerer::visit(ast::Comma& e) {
  SExpr a = discarded(*e.lhs);
  SExpr b = value(*e.rhs);
  result_ = SExpr::call("do", {std::move(a), std::move(b)});
}

}  // namespace emmett::lowering
