// Internals of the checker, shared by its files (top level, expressions,
// built-ins, VP 1.1 forms).
//
// Types of function parameters and results are inferred by running the
// expression checker over every function repeatedly ("inference passes",
// reporting nothing, building throw-away nodes) until no type changes; a
// final pass then reports errors and builds the program. Unresolved
// parameters default to integer.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "vp/src/ast.h"
#include "vp/src/builtins.h"
#include "vp/src/sexpr.h"

namespace vp {

// Kinds of top-level names.
enum class SymKind : uint8_t { Int, Str, Shared, Aggr, Bag, Func };

// What the context of an expression requires of its value.
enum class Want : uint8_t { Any, Value, Int, Str };

class Checker {
 public:
  Checker(Program& p, Diagnostics& d) : p_(p), diags_(d) {}
  void run(const std::vector<SExpr>& forms);

  // --- used across the checker's files ---
  Expr* expr(const SExpr& s, Want want);
  Expr* body(const std::vector<SExpr>& items, size_t from, Want want, Loc at);
  void error(Loc at, std::string message);
  Expr* invalid(Loc at);
  bool needVersion(const SExpr& form, Version v);
  std::string versionWhy() const;  // why `effective` is what it is, for messages
  // Records a destructive built-in's call (once, in the final pass).
  void noteDestructive(BuiltinId id, Loc at);
  Program& program() { return p_; }

  // Builders for the forms, by file.
  Expr* call(const SExpr& s, Want want);
  Expr* builtinCall(const SExpr& s, BuiltinId id);
  Expr* userCall(const SExpr& s, uint32_t fn);
  Expr* operatorCall(const SExpr& s, std::string_view name);
  Expr* newForm(const SExpr& s, std::string_view name, Want want, bool& known);

 private:
  struct TopSym {
    using Kind = SymKind;
    Kind kind;
    uint32_t index;
    Loc loc;
  };
  struct Local {
    std::string name;
    VarRef ref;
  };

  // Top level (checker.cpp).
  void collect(const SExpr& form);
  void defVariable(const SExpr& form, std::string_view head);
  void defAggrOrBag(const SExpr& form, std::string_view head);
  void defShared(const SExpr& form);
  void defHist(const SExpr& form);
  void defFunction(const SExpr& form);
  void defProbe(const SExpr& form);
  void version(const SExpr& form);
  bool declare(const SExpr& name, TopSym::Kind kind, uint32_t index);
  void checkFunctions(bool final);
  void checkBodies();
  void checkFunction(uint32_t index);

  // Names (check_expr.cpp).
  Expr* symbol(const SExpr& s, Want want);
  Expr* constant(const SExpr& s, Want want);
  Expr* conform(Expr* e, Want want, Loc at);
  void constrain(VarRef& ref, Type t);
  Type unify(Type a, Type b);

  // Forms (check_forms.cpp).
  Expr* setVar(const SExpr& s, bool isStr);
  Expr* cond(const SExpr& s, Want want);
  Expr* doForm(const SExpr& s, Want want);
  bool assignable(const SExpr& name, Type type, VarRef& out, const char* form);
  std::string notAVariable(const std::string& name);

 public:
  // Helpers the built-in and 1.1 files need.
  bool lookupVar(const std::string& name, VarRef& out, bool& isBuiltin);
  bool lookupTop(const std::string& name, SymKind kind, uint32_t& index);
  void markChanged() { changed_ = true; }
  Type unifyTypes(Type a, Type b) { return unify(a, b); }
  bool validName(const SExpr& name, const char* what);
  Expr* v11Form(const SExpr& s, std::string_view name, Want want);  // version checked
  bool destination(const SExpr& name, VarRef& out);  // a string variable
  bool intVariable(const SExpr& name, VarRef& out, const char* form);
  uint32_t addLocal(const std::string& name, Type type);
  void popLocals(size_t count);
  size_t localCount() const { return scope_.size(); }
  Function* current() { return fn_; }
  int loopDepth = 0;
  uint32_t tryDepth = 0;
  Type returns = Type::Unknown;  // unified types of (return X) seen
  Version effective;     // the version the script may use
  bool versionIsDeclared = false;
  Version engine;
  const GuestSymbols* symbols = nullptr;  // for GUEST:symbol probes

 private:
  Program& p_;
  Diagnostics& diags_;
  bool final_ = false;    // reporting pass
  bool changed_ = false;  // an inference pass learned a type
  std::unordered_map<std::string, TopSym> top_;
  std::vector<const SExpr*> fnForms_;   // body form of each function
  std::vector<const SExpr*> probeForms_;
  Function* fn_ = nullptr;
  std::vector<Local> scope_;
  std::vector<std::vector<Type>> localTypes_;  // per function, by local id

  friend class CheckerAccess;
};

const char* wantName(Want w);

}  // namespace vp
