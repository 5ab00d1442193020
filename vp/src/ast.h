// The checked, typed program: what the checker produces and what both
// back ends (the JIT and the reference interpreter) run. Names are resolved
// to indices; every node has a type and a source location.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vp/globals.h"
#include "vp/histogram.h"
#include "vp/probe_point.h"
#include "vp/src/builtins.h"
#include "vp/src/diagnostics.h"
#include "vp/src/format.h"
#include "vp/version.h"

namespace vp {

enum class Type : uint8_t { Unknown, None, Int, Str };
const char* typeName(Type t);

enum class Op : uint8_t {
  // Leaves.
  IntConst,   // imm
  StrConst,   // index: string literal
  Var,        // var: read a variable (int value, or string address)
  Global,     // index: vp::Global
  // Assignment.
  SetInt,     // var := kid0
  SetStr,     // var := kid0 (copy, truncated)
  // Operators on integers.
  Add, Sub, Mul, Div, Mod, Shl, Shr, BitAnd, BitOr, BitXor,
  Eq, Ne, Lt, Gt, Le, Ge,
  Neg, BitNot, Not,
  LogAnd, LogOr,  // two kids, short-circuit
  // Control.
  Cond,       // kids: test0, body0, test1, body1, ...
  Do,         // kids in order, value of the last
  Call,       // index: function; kids: arguments
  Builtin,    // index: BuiltinId; kids per builtin (see builtins.h)
  // VP 1.1.
  Let,        // kids: initial values, then the body (one Do); locals in `var`s
  While,      // kids: test, body
  DoWhile,    // kids: test, body
  For,        // kids: init, test, step, body
  Break, Continue,
  Return,     // kids: optional value
  Try,        // kids: body, handler0, handler1...; catchMasks per handler
  BagForeach, // index: bag; kids: body; var: key variable, var2: value
};

// Where a variable lives.
struct VarRef {
  enum class Where : uint8_t { Thread, Shared, Param, Local };
  Where where = Where::Thread;
  Type type = Type::Int;
  uint32_t index = 0;  // into the program's list, the params, or the frame
};

struct Expr {
  Op op = Op::IntConst;
  Type type = Type::None;
  Loc loc;
  uint32_t index = 0;
  uint64_t imm = 0;
  BuiltinId builtin = BuiltinId::Count;  // Builtin nodes
  VarRef var, var2;
  // Frame layout (filled by the layout pass, used by both back ends):
  int32_t slot = -1;     // int slot: spill for binary ops, first arg slot
                         // for calls and builtins, first local for Let
  int32_t strSlot = -1;  // string slot: result buffer (calls returning a
                         // string), first string local for Let
  std::vector<Expr*> kids;
  std::vector<int32_t> argStrSlots;  // per call argument: copy buffer or -1
  std::vector<uint32_t> catchMasks;  // Try: error mask of each handler
};

struct Param {
  std::string name;
  Type type = Type::Unknown;
};

struct Function {
  std::string name;
  Loc loc;
  std::vector<Param> params;
  Type ret = Type::Unknown;
  Expr* body = nullptr;  // a Do
  bool isProbe = false;
  std::vector<Type> locals;        // `let` locals, by local id
  std::vector<int32_t> localSlot;  // layout: int or string slot of each
  // Frame layout.
  uint32_t intSlots = 0;   // 8 bytes each
  uint32_t strSlots = 0;   // 256 bytes each
  uint32_t outArgs = 0;    // outgoing argument words
  uint32_t frameBytes = 0; // everything, 16-byte multiple, what the stack
                           // budget is charged on entry
};

struct IntVar {
  std::string name;
  uint64_t init = 0;
};
struct StrVar {
  std::string name;
  std::string init;
};
struct SharedVar {
  std::string name;
  std::string scope;
  uint64_t init = 0;
};
struct AggrDef {
  std::string name;
  uint32_t intKeys = 0, strKeys = 0;
  // defhist (VP 1.3): the last integer key is a sample's bucket.
  std::optional<HistShape> hist;
};
struct BagDef {
  std::string name;
  uint64_t size = 0;
};
struct ProbeDef {
  ProbePoint point;
  uint32_t function;  // index into functions
};

// A printf-like call site whose format is known at load time.
struct FormatSite {
  Format format;
};

// A call of a destructive built-in (VP 1.3), for the fault-injection gate.
struct DestructiveCall {
  BuiltinId id;
  Loc loc;
  uint32_t function;  // index into functions
};

struct Program {
  std::string file;
  Version declared = kEngineVersion;
  bool hasVersion = false;
  Version engine = kEngineVersion;  // the version the engine behaves as
  std::vector<IntVar> ints;
  std::vector<StrVar> strs;
  std::vector<SharedVar> shareds;
  std::vector<AggrDef> aggrs;
  std::vector<BagDef> bags;
  std::vector<Function> functions;  // user functions, then probe bodies
  std::vector<ProbeDef> probes;
  uint32_t regGroups = 0;  // RegGroup bits the probes may read
  std::vector<DestructiveCall> destructive;
  std::vector<std::string> strConsts;
  std::vector<Format> formats;
  std::deque<Expr> nodes;

  Expr* make(Op op, Type type, Loc loc) {
    Expr& e = nodes.emplace_back();
    e.op = op;
    e.type = type;
    e.loc = loc;
    return &e;
  }
};

}  // namespace vp
