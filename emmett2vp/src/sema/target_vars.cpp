#include "emmett2vp/src/sema/target_vars.h"

#include <cstdio>

namespace emmett {
namespace {

using K = symdb::Location::Kind;

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "0xffffffff80101047 (sys_munmap+0x7)"
std::string where(const symdb::Function& f, uint64_t addr) {
  std::string s = hex(addr) + " (" + f.name;
  if (addr != f.entry) s += addr > f.entry ? "+" + hex(addr - f.entry) : "-" + hex(f.entry - addr);
  return s + ")";
}

bool covers(const symdb::Location& l, uint64_t addr) {
  return (l.low == 0 && l.high == 0) || (addr >= l.low && addr < l.high);
}

const symdb::Location* locationAt(const std::vector<symdb::Location>& list, uint64_t addr) {
  for (const auto& l : list)
    if (covers(l, addr)) return &l;
  return nullptr;
}

// DWARF's x86-64 register numbers (System V ABI, figure 3.36).
std::optional<std::string> regName(uint32_t dwarfReg) {
  static const char* names[] = {"RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP",
                                "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
  if (dwarfReg < 16) return names[dwarfReg];
  return std::nullopt;
}

// What an expression the compiler cannot read stands for, for the message.
std::string explainExpr(const std::string& expr) {
  if (expr.starts_with("0xa3:") || expr.starts_with("0xf3:"))
    return "DW_OP_entry_value: the value it had when the function was entered, kept in no register or memory here";
  return "the DWARF expression " + expr;
}

// `DW_OP_bregN OFF DW_OP_stack_value`: the value is register N plus OFF
// (GCC's for a pointer kept as another one plus a constant).
bool registerPlus(const std::string& expr, uint32_t& reg, int64_t& offset) {
  unsigned op = 0, last = 0;
  unsigned long long off = 0, unused = 0, a = 0, b = 0;
  int end = 0;
  if (sscanf(expr.c_str(), "0x%x:0x%llx:0x%llx 0x%x:0x%llx:0x%llx%n", &op, &off, &unused, &last, &a, &b, &end) != 6 ||
      static_cast<size_t>(end) != expr.size() || op < 0x70 || op > 0x8f || last != 0x9f)
    return false;
  reg = op - 0x70;
  offset = static_cast<int64_t>(off);
  return true;
}

// Turns the location that holds at one address into a TargetPlace.
class Placer {
 public:
  Placer(const symdb::Function& f, uint64_t addr, std::string what, std::string& error)
      : f_(f), addr_(addr), what_(std::move(what)), error_(error) {}

  bool place(const symdb::Location& l, TargetPlace& p) {
    switch (l.kind) {
      case K::Register: return reg(l.reg, p.reg) && (p.kind = TargetPlace::Kind::Register, true);
      case K::RegOffset: return memory(l.reg, l.offset, p);
      case K::FrameOffset: return frameBase(l.offset, p);
      case K::FrameBase: return cfa(0, p);
      case K::Constant: p = {TargetPlace::Kind::Constant, "", static_cast<int64_t>(l.value)}; return true;
      case K::Address: p = {TargetPlace::Kind::Memory, "", static_cast<int64_t>(l.value)}; return true;
      case K::Expression: {
        uint32_t r = 0;
        if (!registerPlus(l.expr, r, p.offset)) return fail(what_ + " is held as " + explainExpr(l.expr) + "; it cannot be read");
        p.kind = TargetPlace::Kind::Register;
        return reg(r, p.reg);
      }
    }
    return false;
  }

 private:
  bool fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }
  bool reg(uint32_t dwarfReg, std::string& out) {
    auto name = regName(dwarfReg);
    if (!name) return fail(what_ + " is in DWARF register " + std::to_string(dwarfReg) + ", not a general register; it cannot be read");
    out = *name;
    return true;
  }
  bool memory(uint32_t dwarfReg, int64_t offset, TargetPlace& p) {
    p.kind = TargetPlace::Kind::Memory;
    p.offset = offset;
    return reg(dwarfReg, p.reg);
  }
  // DW_OP_fbreg: the function's frame base plus an offset.
  bool frameBase(int64_t offset, TargetPlace& p) {
    const symdb::Location* fb = locationAt(f_.frameBase, addr_);
    if (!fb) return fail(what_ + " is on the stack, but " + f_.name + " has no frame base there");
    switch (fb->kind) {
      case K::FrameBase: return cfa(offset, p);
      case K::RegOffset: return memory(fb->reg, fb->offset + offset, p);
      case K::Register: return memory(fb->reg, offset, p);
      default: return fail(what_ + " is on the stack, and " + f_.name + "'s frame base there is " + explainExpr(fb->expr));
    }
  }
  // The call frame address (the caller's RSP before the call) plus an
  // offset, from the frame rule at the address. Without call frame
  // information, the entry alone is known: the call has just pushed the
  // return address, so the CFA is RSP+8.
  bool cfa(int64_t offset, TargetPlace& p) {
    const symdb::Location* rule = locationAt(f_.cfa, addr_);
    if (!rule && f_.cfa.empty() && addr_ == f_.entry) return memory(7, 8 + offset, p);
    if (!rule)
      return fail(what_ + " is on the stack, but the symbol database has no call frame information for that address "
                  "(make it again with emmett-symdb)");
    if (rule->kind != K::RegOffset)
      return fail(what_ + " is on the stack, and the call frame address there is " + explainExpr(rule->expr));
    return memory(rule->reg, rule->offset + offset, p);
  }

  const symdb::Function& f_;
  uint64_t addr_;
  std::string what_;
  std::string& error_;
};

std::string namesOf(const symdb::Function& f) {
  std::string s;
  for (const auto& v : f.vars) {
    if (s.find(" " + v.name + ",") != std::string::npos || v.name.empty()) continue;
    s += " " + v.name + ",";
  }
  if (s.empty()) return "it has no parameters or locals";
  s.pop_back();
  return "it has" + s;
}

// Whether the loaded databases can know a function's variables: some are
// loaded, and not all of them are only types (BTF).
bool haveVariables(const ExternalTypes* ext, const std::string& var, std::string& error) {
  if (!ext || ext->empty()) {
    error = var + " reads a variable of the probed guest function: load the guest's symbol database with -T FILE";
    return false;
  }
  if (ext->typesOnly()) {
    error = var + " reads a variable of the probed guest function, but the symbol databases hold only types " +
            "(read from BTF, which has no functions or variables): load one made from the guest's DWARF";
    return false;
  }
  return true;
}

}  // namespace

std::optional<TargetVar> findTargetVar(ExternalTypes& ext, TypeTable& table, std::string_view name, uint64_t addr,
                                       std::string& error, VarKind kind, std::string_view spelled) {
  std::string var = "'" + (spelled.empty() ? "$" + std::string(name) : std::string(spelled)) + "'";
  if (!haveVariables(&ext, var, error)) return std::nullopt;
  auto at = ext.functionAt(addr);
  if (!at) {
    error = "no function in the symbol database holds " + hex(addr) + ", the address of the probe that reads " + var;
    return std::nullopt;
  }
  const symdb::Function& f = *at->fn;
  const symdb::Variable* found = nullptr;
  const symdb::Location* loc = nullptr;
  for (const auto& v : f.vars) {
    if (v.name != name || (kind == VarKind::Param && !v.isParam) || (kind == VarKind::Local && v.isParam)) continue;
    found = found ? found : &v;
    if ((loc = locationAt(v.locations, addr))) {
      found = &v;
      break;
    }
  }
  std::string whereText = where(f, addr);
  if (!found) {
    static const char* what[] = {"parameter or local", "parameter", "local"};
    error = f.name + " has no " + what[static_cast<int>(kind)] + " named '" + std::string(name) + "' (" + var +
            " at " + whereText + "; " + namesOf(f) + ")";
    return std::nullopt;
  }
  if (!loc) {
    error = var + " is optimized out at " + whereText;
    return std::nullopt;
  }
  TargetVar tv;
  if (!Placer(f, addr, var + " at " + whereText, error).place(*loc, tv.place)) return std::nullopt;
  tv.type = ext.typeOf(*at, found->type, table);
  if (tv.place.kind != TargetPlace::Kind::Memory && !tv.type->isScalar()) {
    error = var + " at " + whereText + " is a " + tv.type->name + " held " +
            (tv.place.kind == TargetPlace::Kind::Register ? "in " + tv.place.reg : std::string("as a constant")) +
            "; only integers and pointers are read from there";
    return std::nullopt;
  }
  return tv;
}

namespace {

// The guest address of a `GUEST:0x...` target.
std::optional<uint64_t> targetAddress(const ast::ProbeTarget& t) {
  static constexpr std::string_view kGuest = "GUEST:0x";
  if (!t.vpName.starts_with(kGuest)) return std::nullopt;
  return std::stoull(t.vpName.substr(kGuest.size()), nullptr, 16);
}

}  // namespace

bool probeFunctionHas(const ExternalTypes* ext, const ast::Probe* probe, std::string_view name) {
  if (!ext || !probe || probe->probeKind != ast::ProbeKind::Guest || probe->targets.empty()) return false;
  std::optional<uint64_t> addr = targetAddress(probe->targets[0]);
  auto at = addr ? ext->functionAt(*addr) : std::nullopt;
  if (!at) return false;
  for (const auto& v : at->fn->vars)
    if (v.name == name) return true;
  return false;
}

std::optional<TargetVar> probeTargetVar(ExternalTypes* ext, TypeTable& table, const ast::Probe* probe,
                                        std::string_view name, std::string& error, VarKind kind,
                                        std::string_view spelled) {
  std::string var = "'" + (spelled.empty() ? "$" + std::string(name) : std::string(spelled)) + "'";
  if (!haveVariables(ext, var, error)) return std::nullopt;
  if (!probe) {
    error = var + " reads a variable of the probed guest function: it is only known in a probe's body";
    return std::nullopt;
  }
  if (probe->probeKind == ast::ProbeKind::GuestExit) {
    error = var + " cannot be read in a return probe (" + probe->name +
            "): the function's variables are gone when it returns; read it in a GUEST:ENTER or GUEST:OFFSET probe";
    return std::nullopt;
  }
  if (probe->probeKind != ast::ProbeKind::Guest) {
    error = var + " reads a variable of a guest function: it needs a probe at a code address known when the script "
                  "is compiled (GUEST:sym, GUEST:sym+off, GUEST:0xADDR, GUEST:OFFSET:sym:off), not " + probe->name;
    return std::nullopt;
  }
  std::optional<TargetVar> first;
  for (const auto& t : probe->targets) {
    std::optional<uint64_t> addr = targetAddress(t);
    if (!addr) continue;
    std::optional<TargetVar> v = findTargetVar(*ext, table, name, *addr, error, kind, spelled);
    if (!v) return std::nullopt;
    if (first && (first->place != v->place || first->type != v->type)) {
      error = var + " is not in the same place at every address of " + probe->name + "; probe one address";
      return std::nullopt;
    }
    first = v;
  }
  if (!first) error = var + " needs a probe at a known guest address; " + probe->name + " has none";
  return first;
}

}  // namespace emmett
