// Grammar actions: each specialization builds one kind of AST node from the
// pieces on ParseState's stacks (see parse_state.h).
#pragma once

#include <string>

#include "emmett2vp/src/parser/grammar.h"
#include "emmett2vp/src/parser/literals.h"
#include "emmett2vp/src/parser/parse_state.h"

namespace emmett::parser {

namespace g = emmett::grammar;
using namespace emmett::ast;

template <typename Rule>
struct action : tao::pegtl::nothing<Rule> {};

// Text of a token rule without the white space it swallowed.
template <typename Input>
std::string tokenText(const Input& in) {
  std::string s = in.string();
  size_t n = 0;
  while (n < s.size() && (isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_' || s[n] == '$' || s[n] == '.' || s[n] == '!')) ++n;
  return s.substr(0, n);
}

// ---- Literals ----

template <>
struct action<g::int_lit> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    uint64_t v = 0;
    if (!parseIntLiteral(in.string(), v)) st.diags.error(st.loc(in)) << "integer literal '" << in.string() << "' does not fit in 64 bits";
    st.pushExpr(std::make_unique<IntLit>(st.loc(in), v));
  }
};

template <>
struct action<g::string_piece> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    if (!st.pendingStringOpen) {
      st.pendingStringOpen = true;
      st.pendingStringLoc = st.loc(in);
      st.pendingString.clear();
    }
    std::string s = in.string();
    st.pendingString += decodeEscapes(std::string_view(s).substr(1, s.size() - 2));
  }
};

template <>
struct action<g::string_lits> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) {
    st.pushExpr(std::make_unique<StrLit>(st.pendingStringLoc, std::move(st.pendingString)));
    st.pendingString.clear();
    st.pendingStringOpen = false;
  }
};

template <>
struct action<g::char_lit> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    std::string s = in.string();
    std::string v = decodeEscapes(std::string_view(s).substr(1, s.size() - 2));
    st.pushExpr(std::make_unique<IntLit>(st.loc(in), v.empty() ? 0 : static_cast<unsigned char>(v[0])));
  }
};

// ---- Types ----

template <>
struct action<g::c_type_word> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.typeWords.push_back(in.string()); }
};
template <>
struct action<g::emmett_type_word> : action<g::c_type_word> {};

template <>
struct action<g::builtin_type> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    TypeSpec t;
    t.base = TypeSpec::Base::Builtin;
    t.loc = st.loc(in);
    for (const auto& w : st.typeWords) t.name += (t.name.empty() ? "" : " ") + w;
    st.typeWords.clear();
    st.types.push_back(std::move(t));
  }
};

template <>
struct action<g::external_type> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    TypeSpec t;
    t.base = TypeSpec::Base::External;
    t.loc = st.loc(in);
    t.name = tokenText(in);
    st.types.push_back(std::move(t));
  }
};

template <>
struct action<g::typedef_spec> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    TypeSpec t;
    t.base = TypeSpec::Base::Named;
    t.loc = st.loc(in);
    t.name = tokenText(in);
    st.types.push_back(std::move(t));
  }
};

template <>
struct action<g::record_kw> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto r = std::make_shared<RecordDef>();
    r->isUnion = in.string()[0] == 'u';
    r->loc = st.loc(in);
    st.records.push_back(std::move(r));
  }
};
template <>
struct action<g::record_tag> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.records.back()->tag = tokenText(in); }
};
template <>
struct action<g::record_external_tag> : action<g::record_tag> {};
template <>
struct action<g::record_body> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) { st.records.back()->hasBody = true; }
};
template <>
struct action<g::record_spec> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) {
    TypeSpec t;
    t.base = TypeSpec::Base::Record;
    t.record = std::move(st.records.back());
    st.records.pop_back();
    t.loc = t.record->loc;
    t.name = t.record->tag;
    st.types.push_back(std::move(t));
  }
};
template <>
struct action<g::implicit_int> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    TypeSpec t;
    t.name = "int";
    t.loc = st.loc(in);
    st.types.push_back(std::move(t));
  }
};
template <>
struct action<g::sparse_field> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    FieldDecl f;
    f.decl = st.popDecl();
    f.type = st.popType();
    f.offset = st.popExpr();
    f.loc = st.loc(in);
    st.records.back()->fields.push_back(std::move(f));
  }
};
// Each name of `type a, b;` is a field; the type stays on its stack for
// the next name and goes with the whole declaration.
template <>
struct action<g::field_declarator> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    FieldDecl f;
    f.decl = st.popDecl();
    f.type = st.types.back();
    f.loc = st.loc(in);
    st.records.back()->fields.push_back(std::move(f));
  }
};
template <>
struct action<g::plain_field> {
  static void apply0(ParseState& st) { st.types.pop_back(); }
};

template <>
struct action<g::enum_kw> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto e = std::make_shared<EnumDef>();
    e->loc = st.loc(in);
    st.enums.push_back(std::move(e));
  }
};
template <>
struct action<g::enum_tag> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.enums.back()->tag = tokenText(in); }
};
template <>
struct action<g::enum_external_tag> : action<g::enum_tag> {};
template <>
struct action<g::enum_item_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.enums.back()->items.push_back({tokenText(in), st.loc(in), nullptr});
    st.marks.push_back(st.exprs.size());
  }
};
template <>
struct action<g::enum_item> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) {
    if (st.exprs.size() > st.popMark()) st.enums.back()->items.back().value = st.popExpr();
  }
};
template <>
struct action<g::enum_body> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) { st.enums.back()->hasBody = true; }
};
template <>
struct action<g::enum_spec> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) {
    TypeSpec t;
    t.base = TypeSpec::Base::Enum;
    t.enumDef = std::move(st.enums.back());
    st.enums.pop_back();
    t.loc = t.enumDef->loc;
    t.name = t.enumDef->tag;
    st.types.push_back(std::move(t));
  }
};

// ---- Declarators ----

template <>
struct action<g::declarator_start> {
  static void apply0(ParseState& st) { st.decls.emplace_back(); }
};
template <>
struct action<g::ptr_star> {
  static void apply0(ParseState& st) { ++st.decls.back().pointers; }
};
template <>
struct action<g::declarator_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.decls.back().name = tokenText(in);
    st.decls.back().loc = st.loc(in);
  }
};
template <>
struct action<g::array_dim> {
  static void apply0(ParseState& st) { st.decls.back().dims.push_back(st.popExpr()); }
};
template <>
struct action<g::initializer> {
  static void apply0(ParseState& st) { st.decls.back().init = st.popExpr(); }
};

// ---- Expressions ----

template <>
struct action<g::ident_expr> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.pushExpr(std::make_unique<Ident>(st.loc(in), tokenText(in)));
  }
};
template <>
struct action<g::external_value> : action<g::ident_expr> {};
template <>
struct action<g::target_var> : action<g::ident_expr> {};
template <>
struct action<g::call_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.names.emplace_back(tokenText(in), st.loc(in));
    st.marks.push_back(st.exprs.size());
  }
};
template <>
struct action<g::call_expr> {
  static void apply0(ParseState& st) {
    size_t mark = st.popMark();
    auto [name, loc] = std::move(st.names.back());
    st.names.pop_back();
    auto c = std::make_unique<Call>(loc, std::move(name));
    for (size_t i = mark; i < st.exprs.size(); ++i) c->args.push_back(std::move(st.exprs[i]));
    st.exprs.resize(mark);
    st.pushExpr(std::move(c));
  }
};
template <>
struct action<g::index_open> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.marks.push_back(st.exprs.size());
    st.opLocs.push_back(st.loc(in));
  }
};
template <>
struct action<g::index_suffix> {
  static void apply0(ParseState& st) {
    size_t mark = st.popMark();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    auto ix = std::make_unique<Index>(loc, std::move(st.exprs[mark - 1]));
    for (size_t i = mark; i < st.exprs.size(); ++i) ix->keys.push_back(std::move(st.exprs[i]));
    st.exprs.resize(mark - 1);
    st.pushExpr(std::move(ix));
  }
};
template <>
struct action<g::member_name> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) { st.names.emplace_back(tokenText(in), st.loc(in)); }
};
template <bool Arrow>
struct member_action {
  static void apply0(ParseState& st) {
    auto [name, loc] = std::move(st.names.back());
    st.names.pop_back();
    auto base = st.popExpr();
    st.pushExpr(std::make_unique<Member>(loc, std::move(base), std::move(name), Arrow));
  }
};
template <>
struct action<g::dot_suffix> : member_action<false> {};
template <>
struct action<g::arrow_suffix> : member_action<true> {};

template <bool Inc>
struct postfix_action {
  static void apply0(ParseState& st) {
    auto e = st.popExpr();
    Location loc = e->loc;
    st.pushExpr(std::make_unique<IncDec>(loc, Inc, false, std::move(e)));
  }
};
template <>
struct action<g::post_inc> : postfix_action<true> {};
template <>
struct action<g::post_dec> : postfix_action<false> {};

// Operators remember their text and position until their operand is done.
struct push_op {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    std::string s = in.string();
    while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    st.ops.push_back(std::move(s));
    st.opLocs.push_back(st.loc(in));
  }
};
template <>
struct action<g::pre_inc_op> : push_op {};
template <>
struct action<g::pre_dec_op> : push_op {};
template <>
struct action<g::unary_op> : push_op {};
template <>
struct action<g::sizeof_kw> : push_op {};

template <bool Inc>
struct prefix_incdec_action {
  static void apply0(ParseState& st) {
    st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    st.pushExpr(std::make_unique<IncDec>(loc, Inc, true, st.popExpr()));
  }
};
template <>
struct action<g::pre_inc> : prefix_incdec_action<true> {};
template <>
struct action<g::pre_dec> : prefix_incdec_action<false> {};

template <>
struct action<g::prefix_expr> {
  static void apply0(ParseState& st) {
    std::string op = st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    st.pushExpr(std::make_unique<Unary>(loc, std::move(op), st.popExpr()));
  }
};
template <>
struct action<g::cast_expr> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto operand = st.popExpr();
    Declarator d = st.popDecl();
    st.pushExpr(std::make_unique<Cast>(st.loc(in), st.popType(), d.pointers, std::move(operand)));
  }
};
template <>
struct action<g::sizeof_type> {
  static void apply0(ParseState& st) {
    st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    Declarator d = st.popDecl();
    st.pushExpr(std::make_unique<SizeofType>(loc, st.popType(), d.pointers));
  }
};
template <>
struct action<g::sizeof_operand> {
  static void apply0(ParseState& st) {
    st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    st.pushExpr(std::make_unique<SizeofExpr>(loc, st.popExpr()));
  }
};

// Binary operators: `X_op` records the operator, `X_tail` folds.
template <>
struct action<g::mul_op> : push_op {};
template <>
struct action<g::add_op> : push_op {};
template <>
struct action<g::shift_op> : push_op {};
template <>
struct action<g::rel_op> : push_op {};
template <>
struct action<g::eq_op> : push_op {};
template <>
struct action<g::band_op> : push_op {};
template <>
struct action<g::bxor_op> : push_op {};
template <>
struct action<g::bor_op> : push_op {};
template <>
struct action<g::land_op> : push_op {};
template <>
struct action<g::lor_op> : push_op {};
template <>
struct action<g::assign_op> : push_op {};

struct fold_binary {
  static void apply0(ParseState& st) {
    auto rhs = st.popExpr();
    auto lhs = st.popExpr();
    std::string op = st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    st.pushExpr(std::make_unique<Binary>(loc, std::move(op), std::move(lhs), std::move(rhs)));
  }
};
template <>
struct action<g::mul_tail> : fold_binary {};
template <>
struct action<g::add_tail> : fold_binary {};
template <>
struct action<g::shift_tail> : fold_binary {};
template <>
struct action<g::rel_tail> : fold_binary {};
template <>
struct action<g::eq_tail> : fold_binary {};
template <>
struct action<g::band_tail> : fold_binary {};
template <>
struct action<g::bxor_tail> : fold_binary {};
template <>
struct action<g::bor_tail> : fold_binary {};
template <>
struct action<g::land_tail> : fold_binary {};
template <>
struct action<g::lor_tail> : fold_binary {};

template <>
struct action<g::cond_tail> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    auto b = st.popExpr();
    auto a = st.popExpr();
    auto c = st.popExpr();
    st.pushExpr(std::make_unique<Ternary>(st.loc(in), std::move(c), std::move(a), std::move(b)));
  }
};
template <>
struct action<g::assign_tail> {
  static void apply0(ParseState& st) {
    auto rhs = st.popExpr();
    auto lhs = st.popExpr();
    std::string op = st.popOp();
    Location loc = st.opLocs.back();
    st.opLocs.pop_back();
    st.pushExpr(std::make_unique<Assign>(loc, std::move(op), std::move(lhs), std::move(rhs)));
  }
};
template <>
struct action<g::comma_tail> {
  static void apply0(ParseState& st) {
    auto rhs = st.popExpr();
    auto lhs = st.popExpr();
    Location loc = lhs->loc;
    st.pushExpr(std::make_unique<Comma>(loc, std::move(lhs), std::move(rhs)));
  }
};

}  // namespace emmett::parser

#include "emmett2vp/src/parser/statement_actions.h"
