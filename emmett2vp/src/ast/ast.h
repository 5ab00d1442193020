// The Emmett abstract syntax tree. Every node carries the original source
// location (after EPP); passes annotate nodes in place (resolved symbols,
// types) rather than building parallel tables.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emmett2vp/src/support/location.h"

namespace emmett {
struct Type;
struct Symbol;
struct Field;
}  // namespace emmett

namespace emmett::ast {

enum class NodeKind : uint8_t {
  // expressions
  IntLit, StrLit, Ident, Unary, Binary, Assign, IncDec, Ternary, Call, Index,
  Member, Cast, SizeofType, SizeofExpr, Comma,
  // statements
  ExprStmt, Block, VarDecl, If, While, DoWhile, For, Foreach, Break, Continue,
  Return, Try, Arrow, Empty,
  // top level
  AggrDecl, BagDecl, FuncDef, Probe, Typedef, TypeDecl, Memmodel,
};

struct Node {
  explicit Node(NodeKind k, Location l) : kind(k), loc(l) {}
  virtual ~Node() = default;
  NodeKind kind;
  Location loc;
};
using NodePtr = std::unique_ptr<Node>;

// ---- Syntactic types -------------------------------------------------------

struct RecordDef;
struct EnumDef;

// The type written before a declarator: `unsigned int`, `struct S`,
// `PktList` (a typedef), `$vmkernel.PRDA` (external, rejected later).
struct TypeSpec {
  enum class Base : uint8_t { Builtin, Record, Enum, Named, External, Aggr, Bag };
  Base base = Base::Builtin;
  std::string name;  // builtin name ("unsigned int"), tag, typedef or external
  Location loc;
  std::shared_ptr<RecordDef> record;  // Record: the definition or a reference
  std::shared_ptr<EnumDef> enumDef;   // Enum: likewise
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// `*name[4][2]`: pointer depth and array dimensions after the base type.
struct Declarator {
  std::string name;
  Location loc;
  int pointers = 0;
  std::vector<ExprPtr> dims;
  ExprPtr init;  // `= expr`, declarations only
};

struct FieldDecl {
  TypeSpec type;  // Builtin "int" when a sparse field omits its type
  Declarator decl;
  ExprPtr offset;  // `@offset` of sparse structs, or null
  Location loc;
};

struct RecordDef {
  std::string tag;  // may be empty (anonymous)
  bool isUnion = false;
  bool hasBody = false;
  std::vector<FieldDecl> fields;
  Location loc;
};

struct EnumDef {
  std::string tag;
  bool hasBody = false;
  struct Item {
    std::string name;
    Location loc;
    ExprPtr value;
  };
  std::vector<Item> items;
  Location loc;
};

// ---- Expressions -----------------------------------------------------------

// How an expression's value is reached, decided by the type checker.
enum class ValueCat : uint8_t {
  RValue,  // a computed value
  Script,  // a script variable (assignable unless read-only)
  Target,  // an object in guest memory (readable, never assignable)
};

struct Expr : Node {
  using Node::Node;
  const Type* type = nullptr;  // set by the type checker
  ValueCat cat = ValueCat::RValue;
  bool toString = false;  // a char array read as a string (getgueststr)
  // Levels of the subtree rooted here, set by the parser, which bounds it
  // (kMaxExprDepth) so that the passes' recursion over it stays bounded.
  uint32_t height = 1;
};

struct IntLit : Expr {
  IntLit(Location l, uint64_t v) : Expr(NodeKind::IntLit, l), value(v) {}
  uint64_t value;
};

struct StrLit : Expr {
  StrLit(Location l, std::string v) : Expr(NodeKind::StrLit, l), value(std::move(v)) {}
  std::string value;  // escapes already decoded
};

struct Ident : Expr {
  Ident(Location l, std::string n) : Expr(NodeKind::Ident, l), name(std::move(n)) {}
  std::string name;
  Symbol* sym = nullptr;  // set by name resolution
};

struct Unary : Expr {
  Unary(Location l, std::string o, ExprPtr e) : Expr(NodeKind::Unary, l), op(std::move(o)), operand(std::move(e)) {}
  std::string op;  // - + ! ~ * &
  ExprPtr operand;
};

struct Binary : Expr {
  Binary(Location l, std::string o, ExprPtr a, ExprPtr b)
      : Expr(NodeKind::Binary, l), op(std::move(o)), lhs(std::move(a)), rhs(std::move(b)) {}
  std::string op;
  ExprPtr lhs, rhs;
};

struct Assign : Expr {
  Assign(Location l, std::string o, ExprPtr a, ExprPtr b)
      : Expr(NodeKind::Assign, l), op(std::move(o)), lhs(std::move(a)), rhs(std::move(b)) {}
  std::string op;  // "=" or a compound "+=" ...
  ExprPtr lhs, rhs;
};

struct IncDec : Expr {
  IncDec(Location l, bool inc, bool pre, ExprPtr e)
      : Expr(NodeKind::IncDec, l), increment(inc), prefix(pre), operand(std::move(e)) {}
  bool increment, prefix;
  ExprPtr operand;
};

struct Ternary : Expr {
  Ternary(Location l, ExprPtr c, ExprPtr a, ExprPtr b)
      : Expr(NodeKind::Ternary, l), cond(std::move(c)), then(std::move(a)), otherwise(std::move(b)) {}
  ExprPtr cond, then, otherwise;
};

struct Call : Expr {
  Call(Location l, std::string n) : Expr(NodeKind::Call, l), name(std::move(n)) {}
  std::string name;
  std::vector<ExprPtr> args;
  Symbol* fn = nullptr;  // a user function, set by name resolution
};

// base[k1, k2...]: an aggregate or bag access, or pointer/array indexing.
struct Index : Expr {
  Index(Location l, ExprPtr b) : Expr(NodeKind::Index, l), base(std::move(b)) {}
  ExprPtr base;
  std::vector<ExprPtr> keys;
};

struct Member : Expr {
  Member(Location l, ExprPtr b, std::string f, bool arrow)
      : Expr(NodeKind::Member, l), base(std::move(b)), field(std::move(f)), arrow(arrow) {}
  ExprPtr base;
  std::string field;
  bool arrow;
  const emmett::Field* resolved = nullptr;  // set by the type checker
  // `$args->x`, `$locals->x`: the guest function's variable x (set by name
  // resolution); the node then stands for it, as an Ident would.
  Symbol* targetVar = nullptr;
};

struct Cast : Expr {
  Cast(Location l, TypeSpec t, int ptrs, ExprPtr e)
      : Expr(NodeKind::Cast, l), target(std::move(t)), pointers(ptrs), operand(std::move(e)) {}
  TypeSpec target;
  int pointers;
  ExprPtr operand;
  const Type* targetType = nullptr;
};

struct SizeofType : Expr {
  SizeofType(Location l, TypeSpec t, int ptrs) : Expr(NodeKind::SizeofType, l), target(std::move(t)), pointers(ptrs) {}
  TypeSpec target;
  int pointers;
  uint64_t value = 0;  // set by the type checker
};

struct SizeofExpr : Expr {
  SizeofExpr(Location l, ExprPtr e) : Expr(NodeKind::SizeofExpr, l), operand(std::move(e)) {}
  ExprPtr operand;
  uint64_t value = 0;
};

struct Comma : Expr {
  Comma(Location l, ExprPtr a, ExprPtr b) : Expr(NodeKind::Comma, l), lhs(std::move(a)), rhs(std::move(b)) {}
  ExprPtr lhs, rhs;
};

// ---- Statements ------------------------------------------------------------

struct Stmt : Node {
  using Node::Node;
};
using StmtPtr = std::unique_ptr<Stmt>;

struct ExprStmt : Stmt {
  ExprStmt(Location l, ExprPtr e) : Stmt(NodeKind::ExprStmt, l), expr(std::move(e)) {}
  ExprPtr expr;
};

struct Block : Stmt {
  explicit Block(Location l) : Stmt(NodeKind::Block, l) {}
  std::vector<StmtPtr> stmts;
};

enum class Storage : uint8_t { None, PerVm, PerVmk, PerHost };

// One declared variable (`int a, b;` becomes two VarDecls), global or local.
struct VarDecl : Stmt {
  VarDecl(Location l, Storage s, TypeSpec t, Declarator d)
      : Stmt(NodeKind::VarDecl, l), storage(s), type(std::move(t)), decl(std::move(d)) {}
  Storage storage;
  TypeSpec type;
  Declarator decl;
  Symbol* sym = nullptr;
};

struct If : Stmt {
  If(Location l, ExprPtr c, StmtPtr t, StmtPtr e)
      : Stmt(NodeKind::If, l), cond(std::move(c)), then(std::move(t)), otherwise(std::move(e)) {}
  ExprPtr cond;
  StmtPtr then, otherwise;  // otherwise may be null
};

struct While : Stmt {
  While(Location l, ExprPtr c, StmtPtr b) : Stmt(NodeKind::While, l), cond(std::move(c)), body(std::move(b)) {}
  ExprPtr cond;
  StmtPtr body;
};

struct DoWhile : Stmt {
  DoWhile(Location l, StmtPtr b, ExprPtr c) : Stmt(NodeKind::DoWhile, l), body(std::move(b)), cond(std::move(c)) {}
  StmtPtr body;
  ExprPtr cond;
};

struct For : Stmt {
  explicit For(Location l) : Stmt(NodeKind::For, l) {}
  std::vector<StmtPtr> init;  // VarDecls or one ExprStmt; may be empty
  ExprPtr cond, step;         // may be null
  StmtPtr body;
};

struct Foreach : Stmt {
  Foreach(Location l) : Stmt(NodeKind::Foreach, l) {}
  std::unique_ptr<Ident> key, value, bag;
  StmtPtr body;
};

struct Break : Stmt {
  explicit Break(Location l) : Stmt(NodeKind::Break, l) {}
};
struct Continue : Stmt {
  explicit Continue(Location l) : Stmt(NodeKind::Continue, l) {}
};

struct Return : Stmt {
  Return(Location l, ExprPtr e) : Stmt(NodeKind::Return, l), value(std::move(e)) {}
  ExprPtr value;  // may be null
};

struct CatchClause {
  Location loc;
  std::vector<std::pair<std::string, Location>> errors;  // empty: catch all
  StmtPtr body;
};

struct Try : Stmt {
  Try(Location l, StmtPtr b) : Stmt(NodeKind::Try, l), body(std::move(b)) {}
  StmtPtr body;
  std::vector<CatchClause> catches;
};

// `lhs <- rhs`: add a sample to an aggregate, or insert into a bag.
struct Arrow : Stmt {
  Arrow(Location l, ExprPtr a, ExprPtr b) : Stmt(NodeKind::Arrow, l), lhs(std::move(a)), rhs(std::move(b)) {}
  ExprPtr lhs, rhs;
};

struct Empty : Stmt {
  explicit Empty(Location l) : Stmt(NodeKind::Empty, l) {}
};

// ---- Top level -------------------------------------------------------------

struct AggrDecl : Stmt {
  AggrDecl(Location l, std::string n) : Stmt(NodeKind::AggrDecl, l), name(std::move(n)) {}
  std::string name;
  std::vector<ExprPtr> dims;  // [N] or [NI][NS]
  Symbol* sym = nullptr;
};

struct BagDecl : Stmt {
  BagDecl(Location l, std::string n) : Stmt(NodeKind::BagDecl, l), name(std::move(n)) {}
  std::string name;
  ExprPtr size;  // may be null: the default size
  Symbol* sym = nullptr;
};

struct Param {
  TypeSpec type;
  Declarator decl;  // name may be empty in prototypes
  Location loc;
  Symbol* sym = nullptr;
};

struct FuncDef : Stmt {
  FuncDef(Location l) : Stmt(NodeKind::FuncDef, l) {}
  TypeSpec ret;
  int retPointers = 0;
  std::string name;
  Location nameLoc;
  std::vector<Param> params;
  std::unique_ptr<Block> body;  // null for a prototype
  Symbol* sym = nullptr;
};

// What a probe name resolved to (set by the probe resolver): one VP probe
// name per target; a glob gives several.
// GuestExit: a return probe (GUEST:EXIT:sym), whose ARGn the engine gives
// (vp/probe_point.h, ExitArg).
enum class ProbeKind : uint8_t { Static, Guest, GuestExit, GuestData, Periodic };
struct ProbeTarget {
  std::string vpName;  // "HV_Exit", "GUEST:0xffffffff81000000", "USEC:1000"
  unsigned nargs = 0;  // ARGn the engine provides (static probes)
  // What PROBENAME reads when it is not vpName: for a GUEST probe named by
  // a symbol, the name as written, a glob replaced by the symbol matched
  // ("GUEST:ENTER:sys_read"), as the slides' globbed probes print.
  std::string probeName;
};

struct Probe : Stmt {
  Probe(Location l) : Stmt(NodeKind::Probe, l) {}
  ProbeKind probeKind = ProbeKind::Static;
  std::vector<ProbeTarget> targets;
  std::string name;  // as written, e.g. "VMM:Disk_IOStart" or "GUEST:foo+0x10"
  std::vector<Param> params;
  bool variadic = false;  // `...` after the parameters
  bool hasParams = false;
  StmtPtr body;
  int index = 0;  // 1-based position among the file's probes
};

struct Typedef : Stmt {
  Typedef(Location l, TypeSpec t, Declarator d) : Stmt(NodeKind::Typedef, l), type(std::move(t)), decl(std::move(d)) {}
  TypeSpec type;
  Declarator decl;
};

// A standalone `struct S {...};`, `union U {...};` or `enum E {...};`.
struct TypeDecl : Stmt {
  TypeDecl(Location l, TypeSpec t) : Stmt(NodeKind::TypeDecl, l), type(std::move(t)) {}
  TypeSpec type;
};

struct Memmodel : Stmt {
  Memmodel(Location l, std::string m) : Stmt(NodeKind::Memmodel, l), model(std::move(m)) {}
  std::string model;
};

struct Program {
  std::vector<StmtPtr> items;
};

}  // namespace emmett::ast
