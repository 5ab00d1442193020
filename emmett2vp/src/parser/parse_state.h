// What the grammar's actions build on. The grammar is deterministic (see
// grammar.h), so these stacks only ever hold completed pieces: an action
// pops the parts of its rule and pushes the node it makes.
#pragma once

#include <functional>
#include <string_view>

#include <memory>
#include <string>
#include <vector>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/parser/expr_height.h"
#include "emmett2vp/src/parser/parser.h"
#include "emmett2vp/src/parser/typedef_names.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/line_map.h"

namespace emmett::parser {

// Thrown by an action that has already reported its error: stops the parse.
struct ParseAbort {};

struct ParseState {
  ParseState(const LineMap& m, Diagnostics& d) : map(m), diags(d) {}

  template <typename Input>
  Location loc(const Input& in) const {
    auto pos = in.position();
    return map.map(static_cast<uint32_t>(pos.line), static_cast<uint32_t>(pos.column));
  }

  template <typename T>
  std::unique_ptr<T> popAs(std::vector<std::unique_ptr<T>>& v) {
    auto x = std::move(v.back());
    v.pop_back();
    return x;
  }
  ast::ExprPtr popExpr() { return popAs(exprs); }
  // A left-associative chain (`a + b + c ...`, `p->n->n ...`) is as deep as
  // it is long without the parser recursing, so the nesting guard cannot see
  // it: the height of each new node is checked here instead.
  void pushExpr(ast::ExprPtr e) {
    e->height = subtreeHeight(*e);
    if (e->height > kMaxExprDepth) {
      diags.error(e->loc) << "expression nested deeper than " << kMaxExprDepth
                          << " levels (each operator of a chain counts one)";
      throw ParseAbort{};
    }
    exprs.push_back(std::move(e));
  }
  ast::StmtPtr popStmt() { return popAs(stmts); }
  ast::TypeSpec popType() {
    ast::TypeSpec t = std::move(types.back());
    types.pop_back();
    return t;
  }
  ast::Declarator popDecl() {
    ast::Declarator d = std::move(decls.back());
    decls.pop_back();
    return d;
  }
  std::string popOp() {
    std::string o = std::move(ops.back());
    ops.pop_back();
    return o;
  }
  size_t popMark() {
    size_t m = marks.back();
    marks.pop_back();
    return m;
  }

  const LineMap& map;
  Diagnostics& diags;
  TypedefNames typedefs;
  // Whether `$module.NAME` is an enumerator (a value) rather than a type.
  std::function<bool(std::string_view)> isExternalValue = [](std::string_view) { return false; };
  // Whether `$m.X` names database m's type or value (not target variable $m's member).
  std::function<bool(std::string_view)> isExternalModule = [](std::string_view) { return true; };

  std::vector<ast::ExprPtr> exprs;
  std::vector<ast::StmtPtr> stmts;
  std::vector<ast::TypeSpec> types;
  std::vector<ast::Declarator> decls;
  std::vector<std::string> ops;
  std::vector<size_t> marks;  // start of a list on exprs or stmts
  std::vector<Location> opLocs;
  std::vector<std::string> typeWords;
  std::string pendingString;
  Location pendingStringLoc;
  bool pendingStringOpen = false;
  std::vector<std::shared_ptr<ast::RecordDef>> records;  // being defined
  std::vector<std::shared_ptr<ast::EnumDef>> enums;
  std::vector<std::pair<std::string, Location>> names;  // call/member names
  std::vector<ast::Param> params;
  bool variadic = false;
  ast::Storage storage = ast::Storage::None;
  std::vector<std::vector<std::pair<std::string, Location>>> catchNames;
  std::vector<ast::CatchClause> catches;
  std::vector<size_t> catchMarks;
  std::string probeName;
  Location probeLoc;
  int probeCount = 0;
  int nesting = 0;  // see kMaxNesting
  int elseIfArms = 0;  // else-if arms around the current point (kMaxStatementDepth)
  std::vector<Location> ifLocs;  // the `if` of each arm of the if statements being read
  ast::Program program;
};

}  // namespace emmett::parser
