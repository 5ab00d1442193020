// What names denote after name resolution. Symbols live in a SymbolTable
// (stable addresses); AST nodes point at them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/sema/types.h"
#include "vp/histogram.h"

namespace emmett {

// VP's defaggr takes at most 8 integer and 8 string keys.
constexpr int kMaxAggrKeys = 8;

// Where a target variable (`$name`) is at a probe's address, in VP terms.
struct TargetPlace {
  enum class Kind : uint8_t { Register, Memory, Constant };
  Kind kind = Kind::Constant;
  std::string reg;     // Register: the VP global (RDI); Memory: the base register, "" for a fixed address
  int64_t offset = 0;  // Register: the value is reg + offset; Memory: the address is; Constant: the value
  bool operator==(const TargetPlace&) const = default;
};

struct Symbol {
  enum class Kind : uint8_t {
    Global,      // per-thread script variable (definteger/defstring)
    Shared,      // pervm/pervmk/perhost integer (defshared)
    Local,       // function or probe local
    Param,       // function parameter
    ProbeParam,  // probe parameter: a name for ARGn (or a register)
    Aggr,
    Bag,
    Function,
    Builtin,     // VP built-in global (RIP, PROBENAME, ...)
    EnumConst,
    GuestSym,    // a guest symbol's address (from -s)
    TargetVar,   // `$name`: a variable of the probed guest function (place)
  };
  Symbol() = default;
  Symbol(Kind k, std::string n, Location l, const Type* t) : kind(k), name(std::move(n)), loc(l), type(t) {}
  Kind kind = Kind::Global;
  std::string name;
  Location loc;
  const Type* type = nullptr;
  bool implicit = false;   // declared by its first assignment
  bool typed = true;       // implicit: type known yet?
  bool written = false;    // Param: assigned in the body (copied to a local)
  uint64_t value = 0;      // EnumConst/GuestSym value; ProbeParam: index
  ast::Storage storage = ast::Storage::None;
  ast::VarDecl* decl = nullptr;     // Global/Shared/Local declaration
  ast::FuncDef* func = nullptr;     // Function: its definition (or prototype)
  ast::Node* owner = nullptr;       // Local/Param: the FuncDef or Probe
  int index = 0;                    // Param: position
  // Aggr: declared shape. `aggr a[N]` fixes only the total; the split
  // between integer and string keys comes from the first use.
  int aggrInts = -1, aggrStrs = -1, aggrTotal = 0;
  Location aggrShapeLoc;
  // Aggr: its first sample decides whether it is a histogram (hist(),
  // lhist() ...: a VP defhist with the bucket as one more integer key).
  bool sampled = false;
  std::optional<vp::HistShape> hist;
  Location sampleLoc;
  // Aggr: the key counts of its VP aggregate.
  // An aggregate that is never used has only its declared key count
  // (`aggr a[N]`, N up to 16): any split VP accepts will do, at most 8 of
  // each kind.
  int vpIntKeys() const {
    return (aggrInts >= 0 ? aggrInts : std::min(aggrTotal, kMaxAggrKeys)) + (hist ? 1 : 0);
  }
  int vpStrKeys() const { return aggrStrs >= 0 ? aggrStrs : aggrTotal - std::min(aggrTotal, kMaxAggrKeys); }
  uint64_t bagSize = 0;
  // Function: declared signature.
  const Type* ret = nullptr;
  std::vector<Symbol*> params;
  std::vector<Symbol*> locals;  // Function/Probe owner bookkeeping
  bool recursive = false;       // on a call cycle (set by the call graph pass)
  bool defined = false;         // has a body
  std::string vpName;           // set by lowering
  TargetPlace place;            // TargetVar
};

class SymbolTable {
 public:
  Symbol* make(Symbol s) {
    all_.push_back(std::move(s));
    return &all_.back();
  }
  Symbol* global(const std::string& name) const {
    auto it = globals_.find(name);
    return it == globals_.end() ? nullptr : it->second;
  }
  void addGlobal(Symbol* s) {
    globals_[s->name] = s;
    order_.push_back(s);
  }
  // Top-level symbols in declaration order (implicit ones where first used).
  const std::vector<Symbol*>& globals() const { return order_; }
  // Per probe (by Probe::index): its locals.
  std::unordered_map<int, std::vector<Symbol*>> probeLocals;

 private:
  std::deque<Symbol> all_;
  std::unordered_map<std::string, Symbol*> globals_;
  std::vector<Symbol*> order_;
};

}  // namespace emmett
