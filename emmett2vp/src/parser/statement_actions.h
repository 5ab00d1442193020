// Grammar actions for statements and top-level items (see actions.h for
// expressions and types).
#pragma once

#include "emmett2vp/src/parser/actions.h"

namespace emmett::parser {

template <>
struct action<g::block_open> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.marks.push_back(st.stmts.size());
    st.opLocs.push_back(st.loc(in));
  }
};
template <>
struct action<g::block> {
  static void apply0(ParseState& st) {
    size_t mark = st.popMark();
    auto b = std::make_unique<Block>(st.opLocs.back());
    st.opLocs.pop_back();
    for (size_t i = mark; i < st.stmts.size(); ++i) b->stmts.push_back(std::move(st.stmts[i]));
    st.stmts.resize(mark);
    st.stmts.push_back(std::move(b));
  }
};

template <>
struct action<g::storage_class> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    std::string w = tokenText(in);
    st.storage = w == "pervm" ? Storage::PerVm : w == "pervmk" ? Storage::PerVmk : Storage::PerHost;
  }
};
template <>
struct action<g::no_storage> {
  static void apply0(ParseState& st) { st.storage = Storage::None; }
};

// A finished declarator of a variable declaration becomes a VarDecl; the
// type stays on its stack for the following declarators.
struct declare_var {
  static void apply0(ParseState& st) {
    Declarator d = st.popDecl();
    Location loc = d.loc;
    st.stmts.push_back(std::make_unique<VarDecl>(loc, st.storage, st.types.back(), std::move(d)));
  }
};
template <>
struct action<g::init_declarator> : declare_var {};
template <>
struct action<g::first_declarator_end> : declare_var {};

struct drop_type {
  static void apply0(ParseState& st) {
    st.types.pop_back();
    st.storage = Storage::None;
  }
};
template <>
struct action<g::local_decl> : drop_type {};
template <>
struct action<g::global_var_rest> : drop_type {};
template <>
struct action<g::shared_var> : drop_type {};

template <>
struct action<g::no_else> {
  static void apply0(ParseState& st) { st.stmts.push_back(nullptr); }
};
template <>
struct action<g::if_kw> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.marks.push_back(st.ifLocs.size());
    st.ifLocs.push_back(st.loc(in));
  }
};
// The arms of an else-if chain nest in the AST (each If is the else of the
// one before), so the passes recurse through them: they count towards
// kMaxStatementDepth, though not towards the parser's own nesting.
template <>
struct action<g::else_if_kw> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    if (st.nesting + ++st.elseIfArms > kMaxStatementDepth) {
      st.diags.error(st.loc(in)) << "statements nested deeper than " << kMaxStatementDepth
                                 << " levels (each arm of an else-if chain counts one)";
      throw ParseAbort{};
    }
    st.ifLocs.push_back(st.loc(in));
  }
};
// Arms come as conditions on exprs and statements on stmts, in order, with
// the final else (or null) last; the If of the last arm is built first.
template <>
struct action<g::if_stmt> {
  static void apply0(ParseState& st) {
    size_t first = st.popMark();
    size_t arms = st.ifLocs.size() - first;
    StmtPtr tail = st.popStmt();
    for (size_t i = arms; i-- > 0;) {
      StmtPtr then = st.popStmt();
      tail = std::make_unique<If>(st.ifLocs[first + i], st.popExpr(), std::move(then), std::move(tail));
    }
    st.stmts.push_back(std::move(tail));
    st.ifLocs.resize(first);
    st.elseIfArms -= static_cast<int>(arms - 1);
  }
};
template <>
struct action<g::while_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto body = st.popStmt();
    st.stmts.push_back(std::make_unique<While>(st.loc(in), st.popExpr(), std::move(body)));
  }
};
template <>
struct action<g::do_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto cond = st.popExpr();
    st.stmts.push_back(std::make_unique<DoWhile>(st.loc(in), st.popStmt(), std::move(cond)));
  }
};
template <>
struct action<g::for_open> {
  static void apply0(ParseState& st) { st.marks.push_back(st.stmts.size()); }
};
template <>
struct action<g::for_init_expr> {
  static void apply0(ParseState& st) {
    auto e = st.popExpr();
    Location loc = e->loc;
    st.stmts.push_back(std::make_unique<ExprStmt>(loc, std::move(e)));
  }
};
template <>
struct action<g::null_expr> {
  static void apply0(ParseState& st) { st.exprs.push_back(nullptr); }
};
template <>
struct action<g::for_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto f = std::make_unique<For>(st.loc(in));
    f->body = st.popStmt();
    f->step = st.popExpr();
    f->cond = st.popExpr();
    size_t mark = st.popMark();
    for (size_t i = mark; i < st.stmts.size(); ++i) f->init.push_back(std::move(st.stmts[i]));
    st.stmts.resize(mark);
    st.stmts.push_back(std::move(f));
  }
};
template <>
struct action<g::foreach_var> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.exprs.push_back(std::make_unique<Ident>(st.loc(in), tokenText(in)));
  }
};
template <>
struct action<g::foreach_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto f = std::make_unique<Foreach>(st.loc(in));
    f->body = st.popStmt();
    auto take = [&] { return std::unique_ptr<Ident>(static_cast<Ident*>(st.popExpr().release())); };
    f->bag = take();
    f->value = take();
    f->key = take();
    st.stmts.push_back(std::move(f));
  }
};
template <>
struct action<g::catch_kw> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.catchNames.emplace_back();
    st.opLocs.push_back(st.loc(in));
  }
};
template <>
struct action<g::catch_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.catchNames.back().emplace_back(tokenText(in), st.loc(in)); }
};
template <>
struct action<g::catch_clause> {
  static void apply0(ParseState& st) {
    CatchClause c;
    c.loc = st.opLocs.back();
    st.opLocs.pop_back();
    c.errors = std::move(st.catchNames.back());
    st.catchNames.pop_back();
    c.body = st.popStmt();
    st.catches.push_back(std::move(c));
  }
};
template <>
struct action<g::try_kw> {
  static void apply0(ParseState& st) { st.catchMarks.push_back(st.catches.size()); }
};
template <>
struct action<g::try_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    size_t mark = st.catchMarks.back();
    st.catchMarks.pop_back();
    auto t = std::make_unique<Try>(st.loc(in), st.popStmt());
    for (size_t i = mark; i < st.catches.size(); ++i) t->catches.push_back(std::move(st.catches[i]));
    st.catches.resize(mark);
    st.stmts.push_back(std::move(t));
  }
};
template <>
struct action<g::return_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<Return>(st.loc(in), st.popExpr())); }
};
template <>
struct action<g::break_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<Break>(st.loc(in))); }
};
template <>
struct action<g::continue_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<Continue>(st.loc(in))); }
};
template <>
struct action<g::empty_stmt> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<Empty>(st.loc(in))); }
};
template <>
struct action<g::arrow_tail> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto rhs = st.popExpr();
    auto lhs = st.popExpr();
    (void)in;
    Location loc = lhs->loc;
    st.stmts.push_back(std::make_unique<Arrow>(loc, std::move(lhs), std::move(rhs)));
  }
};
template <>
struct action<g::plain_expr_end> {
  static void apply0(ParseState& st) {
    auto e = st.popExpr();
    Location loc = e->loc;
    st.stmts.push_back(std::make_unique<ExprStmt>(loc, std::move(e)));
  }
};

// ---- Top level ----

template <>
struct action<g::memmodel_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<Memmodel>(st.loc(in), tokenText(in))); }
};
template <>
struct action<g::typedef_declarator> {
  static void apply0(ParseState& st) {
    Declarator d = st.popDecl();
    st.typedefs.add(d.name);
    Location loc = d.loc;
    st.stmts.push_back(std::make_unique<Typedef>(loc, st.types.back(), std::move(d)));
  }
};
template <>
struct action<g::typedef_decl> {
  static void apply0(ParseState& st) { st.types.pop_back(); }
};
template <>
struct action<g::aggr_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<AggrDecl>(st.loc(in), tokenText(in))); }
};
template <>
struct action<g::aggr_dim> {
  static void apply0(ParseState& st) { static_cast<AggrDecl&>(*st.stmts.back()).dims.push_back(st.popExpr()); }
};
template <>
struct action<g::bag_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.stmts.push_back(std::make_unique<BagDecl>(st.loc(in), tokenText(in))); }
};
template <>
struct action<g::bag_dim> {
  static void apply0(ParseState& st) { static_cast<BagDecl&>(*st.stmts.back()).size = st.popExpr(); }
};
template <>
struct action<g::param_kind> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    TypeSpec t;
    t.base = tokenText(in) == "bag" ? TypeSpec::Base::Bag : TypeSpec::Base::Aggr;
    t.name = tokenText(in);
    t.loc = st.loc(in);
    st.types.push_back(std::move(t));
  }
};
template <>
struct action<g::param> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    Param p;
    p.decl = st.popDecl();
    p.type = st.popType();
    p.loc = st.loc(in);
    st.params.push_back(std::move(p));
  }
};
template <>
struct action<g::ellipsis> {
  static void apply0(ParseState& st) { st.variadic = true; }
};
template <>
struct action<g::params_open> {
  static void apply0(ParseState& st) {
    st.params.clear();
    st.variadic = false;
  }
};
template <>
struct action<g::func_proto_end> {
  static void apply0(ParseState& st) { st.stmts.push_back(nullptr); }
};
template <>
struct action<g::func_rest> {
  static void apply0(ParseState& st) {
    Declarator d = st.popDecl();
    auto f = std::make_unique<FuncDef>(d.loc);
    auto body = st.popStmt();
    f->body.reset(static_cast<Block*>(body.release()));
    f->ret = st.popType();
    f->retPointers = d.pointers;
    f->name = d.name;
    f->nameLoc = d.loc;
    f->params = std::move(st.params);
    st.params.clear();
    st.stmts.push_back(std::move(f));
  }
};
template <>
struct action<g::type_decl_end> {
  static void apply0(ParseState& st) {
    TypeSpec t = st.popType();
    Location loc = t.loc;
    st.stmts.push_back(std::make_unique<TypeDecl>(loc, std::move(t)));
  }
};
template <>
struct action<g::probe_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.probeName = in.string();
    st.probeLoc = st.loc(in);
    st.params.clear();
    st.variadic = false;
  }
};
template <>
struct action<g::probe_def> {
  static void apply0(ParseState& st) {
    auto p = std::make_unique<Probe>(st.probeLoc);
    p->name = std::move(st.probeName);
    p->body = st.popStmt();
    p->hasParams = !st.params.empty() || st.variadic;
    p->params = std::move(st.params);
    st.params.clear();
    p->variadic = st.variadic;
    p->index = ++st.probeCount;
    st.stmts.push_back(std::move(p));
  }
};
template <>
struct action<g::top_item> {
  static void apply0(ParseState& st) {
    for (auto& s : st.stmts) st.program.items.push_back(std::move(s));
    st.stmts.clear();
    st.storage = Storage::None;
  }
};

}  // namespace emmett::parser
