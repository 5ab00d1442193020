// What a syntax error says, by the rule that was required (must<>) and
// missing. Rules not listed report "syntax error".
#pragma once

#include "emmett2vp/src/parser/grammar.h"

namespace emmett::parser {

namespace g = emmett::grammar;

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define EMMETT_ERROR(rule, text) \
  template <>                    \
  inline constexpr const char* error_message<rule> = text;

EMMETT_ERROR(g::block_comment_rest, "unterminated /* comment")
EMMETT_ERROR(g::string_close, "unterminated string literal")
EMMETT_ERROR(g::star<g::string_char>, "malformed string literal")
EMMETT_ERROR(g::char_char, "malformed character literal")
EMMETT_ERROR(g::char_close, "unterminated character literal")
EMMETT_ERROR(g::record_need_tag_or_body, "expected a struct or union tag or '{'")
EMMETT_ERROR(g::field_decl, "expected a field declaration")
EMMETT_ERROR(g::declarator, "expected a name")
EMMETT_ERROR(g::declarator_name, "expected a name")
EMMETT_ERROR(g::field_end, "expected ';' after the field")
EMMETT_ERROR(g::record_close, "expected '}' at the end of the struct")
EMMETT_ERROR(g::enum_need_tag_or_body, "expected an enum tag or '{'")
EMMETT_ERROR(g::enum_close, "expected ',' or '}' in the enum")
EMMETT_ERROR(g::conditional_expr, "expected an expression")
EMMETT_ERROR(g::unary_expr, "expected an expression")
EMMETT_ERROR(g::expression, "expected an expression")
EMMETT_ERROR(g::assignment_expr, "expected an expression")
EMMETT_ERROR(g::mul_expr, "expected an expression after the operator")
EMMETT_ERROR(g::add_expr, "expected an expression after the operator")
EMMETT_ERROR(g::shift_expr, "expected an expression after the operator")
EMMETT_ERROR(g::rel_expr, "expected an expression after the operator")
EMMETT_ERROR(g::eq_expr, "expected an expression after the operator")
EMMETT_ERROR(g::band_expr, "expected an expression after the operator")
EMMETT_ERROR(g::bxor_expr, "expected an expression after the operator")
EMMETT_ERROR(g::bor_expr, "expected an expression after the operator")
EMMETT_ERROR(g::land_expr, "expected an expression after the operator")
EMMETT_ERROR(g::dim_close, "expected ']'")
EMMETT_ERROR(g::rparen, "expected ')'")
EMMETT_ERROR(g::index_close, "expected ']' or ',' after the index")
EMMETT_ERROR(g::member_name, "expected a member name")
EMMETT_ERROR(g::cast_close, "expected ')' after the type")
EMMETT_ERROR(g::sizeof_arg, "expected an expression or a parenthesized type after 'sizeof'")
EMMETT_ERROR(g::colon, "expected ':' in the conditional expression")
EMMETT_ERROR(g::statement, "expected a statement")
EMMETT_ERROR(g::block_close, "expected '}'")
EMMETT_ERROR(g::block, "expected '{'")
EMMETT_ERROR(g::init_declarator, "expected a name")
EMMETT_ERROR(g::semi, "expected ';'")
EMMETT_ERROR(g::p<'('>, "expected '('")
EMMETT_ERROR(g::p<','>, "expected ','")
EMMETT_ERROR(g::for_open, "expected '(' after 'for'")
EMMETT_ERROR(g::kw_while, "expected 'while' after the body of 'do'")
EMMETT_ERROR(g::foreach_var, "expected a name")
EMMETT_ERROR(g::kw_in, "expected 'in' after 'foreach (key, value)'")
EMMETT_ERROR(g::catch_name, "expected an error name")
EMMETT_ERROR(g::catch_clause, "expected 'catch' after the try block")
EMMETT_ERROR(g::memmodel_name, "expected guest32 or guest64 after 'memmodel'")
EMMETT_ERROR(g::type_spec, "expected a type")
EMMETT_ERROR(g::typedef_declarator, "expected a name for the typedef")
EMMETT_ERROR(g::aggr_item, "expected an aggregate name")
EMMETT_ERROR(g::aggr_dim, "expected '[N]' after the aggregate name")
EMMETT_ERROR(g::bag_item, "expected a bag name")
EMMETT_ERROR(g::param_or_ellipsis, "expected a parameter")
EMMETT_ERROR(g::func_body, "expected '{' or ';' after the parameters")
EMMETT_ERROR(g::decl_after_type, "expected a name or ';' after the type")
EMMETT_ERROR(g::shared_rest, "expected a declaration after the storage class")
EMMETT_ERROR(g::probe_body, "expected a probe body ('{' or a statement)")
EMMETT_ERROR(g::top_item, "expected a declaration, a function or a probe")
EMMETT_ERROR(g::end_of_input, "unexpected text at the end of the file")

#undef EMMETT_ERROR

}  // namespace emmett::parser
