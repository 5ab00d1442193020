// The lowering pass's visitor (private to lowering*.cpp): expressions
// produce an SExpr in result_, statements append to *out_.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "emmett2vp/src/ast/visitor.h"
#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/vp/printer.h"
#include "emmett2vp/src/vp/sexpr.h"
#include "vp/version.h"
#include "vp/vocabulary.h"

namespace emmett::lowering {

using Exprs = std::vector<SExpr>;

class Lowerer : public ast::Visitor<Lowerer> {
 public:
  using Visitor::visit;
  // `scriptName` is the script's (first) file, named in the VP's header.
  Lowerer(SymbolTable& s, TypeTable& t, const SourceManager& sm, std::string scriptName)
      : syms_(s), types_(t), sm_(sm), mainFile_(std::move(scriptName)) {}

  // The newest VP the engine accepts: forms it lacks have older fallbacks.
  void setTarget(vp::Version v) { target_ = v; }
  void run(ast::Program& program);
  vp::Version version() const { return version_; }
  const std::string& versionReason() const { return why_; }
  Location versionLoc() const { return whyLoc_; }
  // The VP text; `spans` (if given) receives where each located form went.
  std::string text(std::vector<PrintedSpan>* spans = nullptr) const;

  // expressions (lower_expr.cpp)
  void visit(ast::IntLit& e);
  void visit(ast::StrLit& e);
  void visit(ast::Ident& e);
  void visit(ast::Unary& e);
  void visit(ast::Binary& e);
  void visit(ast::Assign& e);
  void visit(ast::IncDec& e);
  void visit(ast::Ternary& e);
  void visit(ast::Call& e);
  void visit(ast::Index& e);
  void visit(ast::Member& e);
  void visit(ast::Cast& e);
  void visit(ast::SizeofType& e);
  void visit(ast::SizeofExpr& e);
  void visit(ast::Comma& e);

  // statements (lower_stmt.cpp)
  void visit(ast::ExprStmt& s);
  void visit(ast::Block& s);
  void visit(ast::VarDecl& s);
  void visit(ast::If& s);
  void visit(ast::While& s);
  void visit(ast::DoWhile& s);
  void visit(ast::For& s);
  void visit(ast::Foreach& s);
  void visit(ast::Break& s);
  void visit(ast::Continue& s);
  void visit(ast::Return& s);
  void visit(ast::Try& s);
  void visit(ast::Arrow& s);
  void visit(ast::Empty&) {}

 private:
  friend class ProgramLowering;
  // lower_expr.cpp
  SExpr value(ast::Expr& e);
  SExpr discarded(ast::Expr& e);
  SExpr bitField(ast::Member& m);
  SExpr address(ast::Expr& e);
  SExpr ref(Symbol* s);
  SExpr probeParam(Symbol* s);
  SExpr targetVar(const Symbol& s);
  SExpr targetVarAddress(const TargetPlace& p);
  SExpr guestString(SExpr addr, uint64_t n);
  SExpr concat(std::vector<SExpr> parts);
  SExpr incdec(ast::IncDec& e, bool discard);
  // `bucket`: a histogram's sample (hist(x): x), its last integer key.
  SExpr aggrSample(ast::Index& ix, SExpr value, std::optional<SExpr> bucket = std::nullopt);
  Symbol* container(ast::Expr& e);
  void userCall(ast::Call& e);
  void builtinCall(ast::Call& e);
  void logaggrForm(ast::Call& e);
  std::string specialize(Symbol* f, const std::map<Symbol*, Symbol*>& binds);

  // lower_stmt.cpp
  void lowerStmt(ast::Stmt& s, Exprs& out);
  static void stamp(Exprs& out, size_t from, Location loc);
  Exprs lowerList(const std::vector<ast::Stmt*>& stmts, size_t from, bool tail);
  bool earlyReturns(ast::If& s, const std::vector<ast::Stmt*>& stmts, size_t next, Exprs& out);
  void lowerTail(ast::Stmt& s, Exprs& out);
  Exprs lowerBody(ast::Stmt* s, bool tail);
  SExpr ifForm(ast::If& s, bool tail);
  SExpr single(Exprs body);
  static bool complete(const ast::Stmt* s);

  // lowering.cpp
  void need(int minor, const std::string& why, Location loc);
  // The VP minor version that brought `word`, or its longer calls
  // (getguest's size), per VP's vocabulary (vp/vocabulary.h).
  static int since(std::string_view word) { return vp::findWord(word)->since.minor; }
  static int moreSince(std::string_view word) { return vp::findWord(word)->sig.moreSince.minor; }
  void lowerGlobals();
  void lowerFunction(ast::FuncDef& f, Symbol* fn, const std::string& name);
  void lowerProbe(ast::Probe& p);
  void nameLocals(const std::vector<Symbol*>& locals);
  std::string newTemp();
  std::string comment(Location loc) const;

  SymbolTable& syms_;
  TypeTable& types_;
  const SourceManager& sm_;
  vp::Version version_{1, 0};
  vp::Version target_ = vp::kEngineVersion;
  std::string why_;
  Location whyLoc_;

  SExpr result_;
  Exprs* out_ = nullptr;
  std::vector<std::pair<std::string, SExpr>> globals_, hoisted_, functions_, probes_;

  // The function or probe being lowered.
  Symbol* fn_ = nullptr;
  ast::Probe* probe_ = nullptr;
  std::string owner_;
  bool let_ = false;  // locals are `let` locals (recursive function)
  std::set<std::string> ownerNames_;
  std::map<Symbol*, Symbol*> bindings_;  // bag/aggr parameter -> the global

  struct Spec {
    Symbol* fn;
    std::map<Symbol*, Symbol*> binds;
    std::string name;
  };
  std::vector<Spec> specs_;
  std::set<std::string> specNames_;
  int temps_ = 0;
  std::string mainFile_;

  // PROBENAME of GUEST probes named by symbols (ProbeTarget::probeName).
  // A probe's own body reads its name as a literal; a function (or a
  // glob's shared body) reads the per-thread string probe.name, which the
  // probes that may reach it set as they fire.
  bool namedProbes_ = false, probeNameInFunctions_ = false;
  std::set<const ast::Probe*> probeNameInGlobs_;
  struct ProbeOrigin {
    const ast::Probe* probe;
    std::string name;  // PROBENAME; "" = VP's own
  };
  std::vector<ProbeOrigin> probeOrigins_;  // per probes_ entry
  SExpr probeName();
  void setProbeNames();
};

}  // namespace emmett::lowering
