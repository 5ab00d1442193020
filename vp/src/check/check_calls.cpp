// Calls of built-in functions and of user functions.
#include "vp/src/check/checker_impl.h"
#include "vp/src/quote.h"
#include "vp/src/runtime/helpers.h"

namespace vp {

namespace {

std::string argCount(size_t n) {
  return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

}  // namespace

// Checks the argument count of `s` against [lo, hi]; reports and returns
// false when it is off.
static bool arity(Checker& c, const SExpr& s, size_t lo, size_t hi) {
  size_t n = s.items.size() - 1;
  if (n >= lo && n <= hi) return true;
  std::string want = lo == hi ? argCount(lo)
                     : hi == SIZE_MAX ? "at least " + argCount(lo)
                     : hi == lo + 1   ? std::to_string(lo) + " or " + argCount(hi)
                                      : std::to_string(lo) + " to " + argCount(hi);
  c.error(s.loc, "'" + s.items[0].text + "' takes " + want + ", got " + std::to_string(n));
  return false;
}

class BuiltinChecker {
 public:
  BuiltinChecker(Checker& c, const SExpr& s, Expr* e) : c_(c), s_(s), e_(e) {}

  const SExpr& arg(size_t i) const { return s_.items[i + 1]; }
  size_t count() const { return s_.items.size() - 1; }
  void add(size_t i, Want w) { e_->kids.push_back(c_.expr(arg(i), w)); }
  void addConst(uint64_t v, Loc at) {
    Expr* k = c_.program().make(Op::IntConst, Type::Int, at);
    k->imm = v;
    e_->kids.push_back(k);
  }

  bool dest(size_t i) {
    VarRef ref;
    if (!c_.destination(arg(i), ref)) return false;
    Expr* v = c_.program().make(Op::Var, Type::Str, arg(i).loc);
    v->var = ref;
    e_->kids.push_back(v);
    return true;
  }

  bool named(size_t i, SymKind kind, const char* what) {
    if (arg(i).isSymbol() && c_.lookupTop(arg(i).text, kind, e_->index)) return true;
    c_.error(arg(i).loc, std::string("expected the name of ") + what + " here");
    return false;
  }

  // printf/sprintf: a literal format is parsed now and fixes the argument
  // types; any other format is checked when it runs.
  bool format(size_t i) {
    const SExpr& f = arg(i);
    size_t nargs = count() - i - 1;
    if (f.kind != SExpr::Kind::String) {
      add(i, Want::Str);
      for (size_t k = i + 1; k < count(); ++k) add(k, Want::Value);
      return true;
    }
    Format fmt;
    std::string err = parseFormat(f.text, fmt);
    if (!err.empty()) {
      c_.error(f.loc, "bad format: " + err);
      return false;
    }
    std::vector<bool> isStr = fmt.argIsString();
    if (isStr.size() != nargs) {
      c_.error(f.loc, "format has " + fmt.describeArgs() + " but " + std::to_string(nargs) +
                          (nargs == 1 ? " argument follows" : " arguments follow"));
      return false;
    }
    for (size_t k = 0; k < nargs; ++k) add(i + 1 + k, isStr[k] ? Want::Str : Want::Int);
    c_.program().formats.push_back(std::move(fmt));
    e_->imm = c_.program().formats.size();  // index + 1
    return true;
  }

  bool keyList(const SExpr& list, uint32_t expected, Want w, const char* what,
               const std::string& aggr) {
    if (!list.isList()) {
      c_.error(list.loc, std::string("expected a list of ") + what + " keys, e.g. () or (RIP)");
      return false;
    }
    if (list.items.size() != expected) {
      c_.error(list.loc, "aggregate '" + aggr + "' has " + std::to_string(expected) + " " +
                             what + (expected == 1 ? " key" : " keys") + ", got " +
                             std::to_string(list.items.size()));
      return false;
    }
    for (const auto& k : list.items) e_->kids.push_back(c_.expr(k, w));
    return true;
  }

  bool aggr() {
    if (!named(0, SymKind::Aggr, "an aggregate")) return false;
    const AggrDef& def = c_.program().aggrs[e_->index];
    bool ok = keyList(arg(1), def.intKeys, Want::Int, "integer", def.name);
    ok = keyList(arg(2), def.strKeys, Want::Str, "string", def.name) && ok;
    add(3, Want::Int);
    return ok;
  }

  bool shared(size_t i) {
    if (arg(i).isSymbol() && c_.lookupTop(arg(i).text, SymKind::Shared, e_->var.index)) {
      e_->var.where = VarRef::Where::Shared;
      return true;
    }
    c_.error(arg(i).loc, "expected a shared integer (defshared) here");
    return false;
  }

  bool sizeArg(size_t i, const char* access = "read") {
    const SExpr& n = arg(i);
    if (n.kind != SExpr::Kind::Integer ||
        !(n.value == 1 || n.value == 2 || n.value == 4 || n.value == 8)) {
      c_.error(n.loc, std::string("the size of a guest ") + access + " is the literal 1, 2, 4 or 8");
      return false;
    }
    addConst(n.value, n.loc);
    return true;
  }

  // setgpr's register: the name of one of the 16 general registers.
  bool generalRegister(size_t i) {
    const SExpr& r = arg(i);
    const Word* w = r.isSymbol() ? findWord(r.text) : nullptr;
    if (w && (w->kind == WordKind::Global || w->kind == WordKind::GlobalAlias)) {
      const GlobalInfo& g = globalInfo(static_cast<Global>(w->id));
      if (g.group == int(RegGroup::Gpr) && g.slot < 16) {
        e_->index = w->id;
        return true;
      }
    }
    c_.error(r.loc, "expected a general register's name here (RAX, RBX, ... R15)");
    return false;
  }

  void optional(size_t i, uint64_t absent) {
    if (count() > i) add(i, Want::Int);
    else addConst(absent, s_.loc);
  }

  bool check(BuiltinId id);

 private:
  // The version from which the call may pass more than its fewest arguments.
  Version moreSince() const { return builtinWord(e_->builtin).sig.moreSince; }

  Checker& c_;
  const SExpr& s_;
  Expr* e_;
};

bool BuiltinChecker::check(BuiltinId id) {
  switch (id) {
    case BuiltinId::Logstr: add(0, Want::Str); return true;
    case BuiltinId::Logint: add(0, Want::Int); return true;
    case BuiltinId::Printf: return format(0);
    case BuiltinId::Sprintf: return dest(0) && format(1);
    case BuiltinId::Strcmp: add(0, Want::Str); add(1, Want::Str); return true;
    case BuiltinId::Getguest:
      add(0, Want::Int);
      if (count() == 1) { addConst(8, s_.loc); return true; }
      return c_.needVersion(s_, moreSince()) && sizeArg(1);
    case BuiltinId::Getgueststr:
      if (!dest(0)) return false;
      if (count() == 2) addConst(kStrBytes - 1, s_.loc);
      else add(1, Want::Int);
      add(count() - 1, Want::Int);
      return true;
    case BuiltinId::Gueststack:
      if (!dest(0)) return false;
      if (count() == 1) { addConst(0, s_.loc); return true; }
      if (!c_.needVersion(s_, moreSince())) return false;
      add(1, Want::Int);
      return true;
    case BuiltinId::Getguestphys: case BuiltinId::Offatret: case BuiltinId::Offatseg:
      add(0, Want::Int); return true;
    case BuiltinId::Offatstrcpy: add(0, Want::Int); add(1, Want::Int); return true;
    case BuiltinId::Getsystemtime: case BuiltinId::Exit: return true;
    case BuiltinId::Aggr: return aggr();
    case BuiltinId::Logaggr: case BuiltinId::Clearaggr: return named(0, SymKind::Aggr, "an aggregate");
    case BuiltinId::Printa:
      if (!named(0, SymKind::Aggr, "an aggregate")) return false;
      if (count() == 2) {
        if (arg(1).kind == SExpr::Kind::String) {
          const AggrDef& def = c_.program().aggrs[e_->index];
          std::string err = rt::checkPrintaFormat(arg(1).text, def.intKeys, def.strKeys);
          if (!err.empty()) {
            c_.error(arg(1).loc, "bad format " + quoted(arg(1).text) + ": " + err);
            return false;
          }
        }
        add(1, Want::Str);
      }
      return true;
    case BuiltinId::Baginsert: case BuiltinId::Bagput:
      if (!named(0, SymKind::Bag, "a bag")) return false;
      add(1, Want::Int); add(2, Want::Int); return true;
    case BuiltinId::Bagremove:
      if (!named(0, SymKind::Bag, "a bag")) return false;
      add(1, Want::Int); return true;
    case BuiltinId::Fetchadd: if (!shared(0)) return false; add(1, Want::Int); return true;
    case BuiltinId::Cmpxchg:
      if (!shared(0)) return false;
      add(1, Want::Int); add(2, Want::Int); return true;
    case BuiltinId::Writeint:
      if (arg(1).kind == SExpr::Kind::Integer && (arg(1).value < 1 || arg(1).value > 8)) {
        c_.error(arg(1).loc, "writeint writes 1 to 8 bytes, not " + std::to_string(arg(1).value));
        return false;
      }
      add(0, Want::Int);
      add(1, Want::Int);
      return true;
    case BuiltinId::Setgpr: if (!generalRegister(0)) return false; add(1, Want::Int); return true;
    case BuiltinId::Setguest:
      add(0, Want::Int);
      if (!sizeArg(1, "write")) return false;
      add(2, Want::Int);
      return true;
    case BuiltinId::Skipfunction:
      optional(0, 0);
      addConst(count() > 0, s_.loc);
      return true;
    case BuiltinId::Genmce: add(0, Want::Int); add(1, Want::Int); optional(2, 0); return true;
    case BuiltinId::Count: break;
  }
  return false;
}

Expr* Checker::builtinCall(const SExpr& s, BuiltinId id) {
  const Signature& sig = builtinWord(id).sig;
  if (!arity(*this, s, sig.minArgs, sig.maxArgs)) return invalid(s.loc);
  Expr* e = p_.make(Op::Builtin, Type::Int, s.loc);
  e->builtin = id;
  // Guest linear memory goes through the vCPU's paging (segment and control
  // registers); gueststack also starts from RIP and RBP.
  switch (id) {
    case BuiltinId::Gueststack: p_.regGroups |= 1u << unsigned(RegGroup::Gpr); [[fallthrough]];
    case BuiltinId::Getguest: case BuiltinId::Getgueststr: case BuiltinId::Offatret:
    case BuiltinId::Offatseg: case BuiltinId::Offatstrcpy: case BuiltinId::Setguest:
    case BuiltinId::Skipfunction:
      p_.regGroups |= 1u << unsigned(RegGroup::Sreg);
      break;
    default: break;
  }
  BuiltinChecker bc(*this, s, e);
  if (!bc.check(id)) return invalid(s.loc);
  if (isDestructive(id)) noteDestructive(id, s.loc);
  return e;
}

Expr* Checker::userCall(const SExpr& s, uint32_t index) {
  Function& fn = p_.functions[index];
  size_t n = s.items.size() - 1;
  if (n != fn.params.size()) {
    error(s.loc, "function '" + fn.name + "' takes " + argCount(fn.params.size()) +
                     ", got " + std::to_string(n));
    return invalid(s.loc);
  }
  Expr* e = p_.make(Op::Call, fn.ret, s.loc);
  e->index = index;
  for (size_t i = 0; i < n; ++i) {
    Type pt = fn.params[i].type;
    Want w = pt == Type::Int ? Want::Int : pt == Type::Str ? Want::Str : Want::Value;
    Expr* a = expr(s.items[i + 1], w);
    if (pt == Type::Unknown && (a->type == Type::Int || a->type == Type::Str)) {
      fn.params[i].type = a->type;  // learned from a call site
      markChanged();
    }
    e->kids.push_back(a);
  }
  return e;
}

}  // namespace vp
