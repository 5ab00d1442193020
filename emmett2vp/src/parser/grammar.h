// The Emmett grammar (PEGTL). Emmett is C-like: C's expression syntax and
// precedence, C declarations (no function pointers), plus probes, aggregates
// (`aggr a[1][1]`, `a[k] <- v`), bags, `foreach`, `try`/`catch` and shared
// storage classes.
//
// The grammar is written to be deterministic: every alternative is chosen by
// a keyword or a lookahead (at<>) before any rule with an action matches, and
// everything after the choice is must<>. Actions therefore never run for
// input that is later backtracked over, and a syntax error is reported where
// it is, with the message of error_messages.h.
//
// Every token rule consumes the white space and comments after it (`sp`), so
// a rule's position is the position of its first token.
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include "emmett2vp/src/parser/typedef_names.h"

namespace emmett::grammar {

using namespace tao::pegtl;

// ---- White space and comments ----------------------------------------------

// `// ...` to the end of the line.
struct line_comment : seq<two<'/'>, until<eolf>> {};
// The body of `/* ... */`; an unterminated comment is an error.
struct block_comment_rest : until<string<'*', '/'>> {};
// `/* ... */`.
struct block_comment : if_must<string<'/', '*'>, block_comment_rest> {};
// Anything that separates tokens.
struct sp : star<sor<ascii::space, line_comment, block_comment>> {};

// A one-character punctuator followed by white space.
template <char C>
struct p : seq<one<C>, sp> {};

// ---- Identifiers and keywords ----------------------------------------------

struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
// An identifier spelled like C's.
struct ident_raw : seq<ranges<'a', 'z', 'A', 'Z', '_'>, star<ident_other>> {};

#define EMMETT_KW(name, text) \
  struct kw_##name : TAO_PEGTL_KEYWORD(text) {};
EMMETT_KW(if, "if") EMMETT_KW(else, "else") EMMETT_KW(while, "while")
EMMETT_KW(do, "do") EMMETT_KW(for, "for") EMMETT_KW(foreach, "foreach")
EMMETT_KW(in, "in") EMMETT_KW(try, "try") EMMETT_KW(catch, "catch")
EMMETT_KW(return, "return") EMMETT_KW(break, "break")
EMMETT_KW(continue, "continue") EMMETT_KW(typedef, "typedef")
EMMETT_KW(struct, "struct") EMMETT_KW(union, "union") EMMETT_KW(enum, "enum")
EMMETT_KW(sizeof, "sizeof") EMMETT_KW(aggr, "aggr") EMMETT_KW(bag, "bag")
EMMETT_KW(memmodel, "memmodel") EMMETT_KW(pervm, "pervm")
EMMETT_KW(pervmk, "pervmk") EMMETT_KW(perhost, "perhost")
EMMETT_KW(void, "void") EMMETT_KW(string, "string")
#undef EMMETT_KW

// The words C combines into integer types (`unsigned long long int`).
struct c_type_word
    : sor<TAO_PEGTL_KEYWORD("unsigned"), TAO_PEGTL_KEYWORD("signed"), TAO_PEGTL_KEYWORD("char"),
          TAO_PEGTL_KEYWORD("short"), TAO_PEGTL_KEYWORD("int"), TAO_PEGTL_KEYWORD("long")> {};
// Emmett's one-word types.
struct emmett_type_word
    : sor<TAO_PEGTL_KEYWORD("int8"), TAO_PEGTL_KEYWORD("int16"), TAO_PEGTL_KEYWORD("int32"),
          TAO_PEGTL_KEYWORD("int64"), TAO_PEGTL_KEYWORD("uint8"), TAO_PEGTL_KEYWORD("uint16"),
          TAO_PEGTL_KEYWORD("uint32"), TAO_PEGTL_KEYWORD("uint64"), kw_void, kw_string> {};
// Words that cannot name variables, functions or fields.
struct keyword
    : sor<kw_if, kw_else, kw_while, kw_do, kw_for, kw_foreach, kw_try, kw_catch, kw_return,
          kw_break, kw_continue, kw_typedef, kw_struct, kw_union, kw_enum, kw_sizeof, kw_aggr,
          kw_bag, kw_memmodel, kw_pervm, kw_pervmk, kw_perhost, c_type_word, emmett_type_word> {};
// An identifier that is not a keyword.
struct identifier : seq<not_at<keyword>, ident_raw> {};

// An identifier declared by `typedef` earlier in the file (see
// typedef_names.h); consults the parser state, so it is a custom rule.
struct typedef_name {
  using rule_t = typedef_name;
  using subs_t = empty_list;
  template <apply_mode, rewind_mode, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename State>
  static bool match(ParseInput& in, State& st) {
    auto m = in.template mark<rewind_mode::required>();
    if (!Control<identifier>::template match<apply_mode::nothing, rewind_mode::active, Action, Control>(in, st))
      return false;
    std::string_view word(m.iterator().data, static_cast<size_t>(in.current() - m.iterator().data));
    return m(st.typedefs.contains(word));
  }
};

// ---- Literals ---------------------------------------------------------------

// A hexadecimal, octal or decimal integer; C suffixes are accepted.
struct int_digits
    : sor<seq<one<'0'>, one<'x', 'X'>, plus<xdigit>>, plus<digit>> {};
struct int_lit : seq<int_digits, star<one<'u', 'U', 'l', 'L'>>, not_at<ident_other>> {};
// A backslash escape inside a string or character literal.
struct escape : seq<one<'\\'>, any> {};
// The closing quote of a string literal; missing at the end of the line is
// an error.
struct string_close : one<'"'> {};
// One "..." piece; adjacent pieces are concatenated as in C.
struct string_char : sor<escape, not_one<'"', '\n', '\\'>> {};
struct string_piece : if_must<one<'"'>, star<string_char>, string_close> {};
struct string_lits : plus<string_piece, sp> {};
struct char_close : one<'\''> {};
// 'c' or '\n': an integer.
struct char_char : sor<escape, not_one<'\'', '\n', '\\'>> {};
struct char_lit : if_must<one<'\''>, char_char, char_close> {};

// ---- Types ------------------------------------------------------------------

struct expression;
struct assignment_expr;
struct conditional_expr;
struct unary_expr;
struct type_spec;
struct declarator;

// `unsigned long`, `int`, `uint32`, `string`, `void`.
struct builtin_type : sor<plus<c_type_word, sp>, seq<emmett_type_word, sp>> {};
// `$module.NAME`, the slides' notation for what a symbol database holds: a
// type (`$demo.task`, also a tag: `struct $demo.task`) or an enumerator.
struct external_name : seq<one<'$'>, ident_raw, one<'.'>, ident_raw> {};
// `$module.NAME` where the parse state admits it (Admit::test): a custom
// rule, as typedef_name is, since only the loaded databases can tell.
template <typename Admit>
struct external_name_if {
  using rule_t = external_name_if;
  using subs_t = empty_list;
  template <apply_mode, rewind_mode, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename State>
  static bool match(ParseInput& in, State& st) {
    auto m = in.template mark<rewind_mode::required>();
    if (!Control<external_name>::template match<apply_mode::nothing, rewind_mode::active, Action, Control>(in, st))
      return false;
    std::string_view word(m.iterator().data, static_cast<size_t>(in.current() - m.iterator().data));
    return m(Admit::test(st, word));
  }
};
// Where a type may start, `$module.NAME` is a type unless the database
// makes it an enumerator (ParseState::isExternalValue).
struct admit_type {
  template <typename State>
  static bool test(State& st, std::string_view w) { return !st.isExternalValue(w); }
};
struct external_type_name : external_name_if<admit_type> {};
// In an expression, `$demo.RUNNING` when `demo` is a loaded database;
// otherwise `$s.x` is the member x of the target variable `$s`
// (ParseState::isExternalModule).
struct admit_value {
  template <typename State>
  static bool test(State& st, std::string_view w) { return st.isExternalModule(w); }
};
struct external_value_name : external_name_if<admit_value> {};
struct external_type : seq<external_name, sp> {};
// `struct $demo.task`: the database's layout; such a tag takes no body.
struct record_external_tag : seq<external_name, sp> {};
struct enum_external_tag : seq<external_name, sp> {};
struct record_tag : seq<identifier, sp> {};
// `@0x54`, `@12 - 4`, `@(12 - sizeof(uint32))`: the offset of a field in a
// sparse struct, a constant expression (the field's type or name ends it).
struct field_offset : seq<p<'@'>, must<conditional_expr>> {};
// A sparse field may omit its type (`@0x54 lastIntIdx;`): it is an int.
struct implicit_int : success {};
struct field_type : sor<seq<at<sor<c_type_word, emmett_type_word, kw_struct, kw_union, kw_enum, one<'$'>, typedef_name>>, type_spec>, implicit_int> {};
struct field_end : p<';'> {};
// `@off [type] declarator;`: a sparse field names one field.
struct sparse_field : seq<field_offset, field_type, must<declarator>, must<field_end>> {};
// `type a, *b, c[4];`: as in C, several fields of one type.
struct field_declarator : seq<declarator> {};
struct field_more : seq<p<','>, must<field_declarator>> {};
struct plain_field : seq<field_type, must<field_declarator>, star<field_more>, must<field_end>> {};
struct field_decl : sor<sparse_field, plain_field> {};
struct record_close : p<'}'> {};
struct record_body : seq<p<'{'>, star<not_at<one<'}'>>, must<field_decl>>, must<record_close>> {};
struct record_kw : sor<kw_struct, kw_union> {};
struct record_need_tag_or_body : sor<record_external_tag, seq<record_tag, opt<record_body>>, record_body> {};
// `struct S`, `struct S { ... }`, `union { ... }`.
struct record_spec : seq<record_kw, sp, must<record_need_tag_or_body>> {};
struct enum_item_name : seq<identifier, sp> {};
struct enum_item : seq<enum_item_name, opt<p<'='>, must<conditional_expr>>> {};
struct enum_close : p<'}'> {};
struct enum_body : seq<p<'{'>, opt<enum_item, star<p<','>, opt<enum_item>>>, must<enum_close>> {};
struct enum_tag : seq<identifier, sp> {};
struct enum_need_tag_or_body : sor<enum_external_tag, seq<enum_tag, opt<enum_body>>, enum_body> {};
struct enum_kw : kw_enum {};
// `enum E`, `enum E { A, B = 2 }`.
struct enum_spec : seq<enum_kw, sp, must<enum_need_tag_or_body>> {};
struct typedef_spec : seq<typedef_name, sp> {};
// The type before a declarator.
struct type_spec : sor<builtin_type, record_spec, enum_spec, external_type, typedef_spec> {};
// What can start a type (decides declarations against expressions).
struct type_start : sor<c_type_word, emmett_type_word, kw_struct, kw_union, kw_enum, external_type_name, typedef_name> {};

// ---- Declarators ------------------------------------------------------------

struct declarator_start : success {};
struct ptr_star : p<'*'> {};
struct declarator_name : seq<identifier, sp> {};
struct dim_close : p<']'> {};
struct array_dim : seq<p<'['>, must<expression>, must<dim_close>> {};
// `*name[N]`.
struct declarator : seq<declarator_start, star<ptr_star>, must<declarator_name>, star<array_dim>> {};
// The `*`s of a type name in casts and sizeof: `(uint64 *)`.
struct abstract_declarator : seq<declarator_start, star<ptr_star>> {};
struct type_name : seq<type_spec, abstract_declarator> {};
struct initializer : seq<p<'='>, must<assignment_expr>> {};

// ---- Expressions ------------------------------------------------------------

struct rparen : p<')'> {};
struct paren_expr : seq<p<'('>, must<expression>, must<rparen>> {};
struct call_name : seq<identifier, sp> {};
struct call_args : opt<assignment_expr, star<p<','>, must<assignment_expr>>> {};
// `f(a, b)`: built-in or user function.
struct call_expr : seq<at<identifier, sp, one<'('>>, call_name, p<'('>, call_args, must<rparen>> {};
// `!name` after a name: a guest symbol qualified by its module,
// `nt!NtCreateThread` (the 2011 compiler let `!` into names). A letter must
// follow the `!`, so `a != b` and `a !b` stay operators.
struct module_qualified : seq<one<'!'>, ranges<'a', 'z', 'A', 'Z', '_'>, star<ident_other>> {};
struct ident_expr : seq<identifier, star<module_qualified>, sp> {};
struct int_expr : seq<int_lit, sp> {};
struct char_expr : seq<char_lit, sp> {};
// `$demo.RUNNING`: an enumerator of a symbol database.
struct external_value : seq<external_value_name, sp> {};
// `$len`, `$args`: a parameter or local of the probed guest function.
struct target_var : seq<one<'$'>, ident_raw, sp> {};
struct primary_expr : sor<int_expr, char_expr, string_lits, call_expr, external_value, target_var, ident_expr, paren_expr> {};

struct index_open : p<'['> {};
struct index_close : p<']'> {};
// `[k1, k2]`: several keys index an aggregate.
struct index_suffix : seq<index_open, must<assignment_expr>, star<p<','>, must<assignment_expr>>, must<index_close>> {};
struct member_name : seq<identifier, sp> {};
struct dot_suffix : seq<one<'.'>, sp, must<member_name>> {};
struct arrow_suffix : seq<string<'-', '>'>, sp, must<member_name>> {};
struct post_inc : seq<two<'+'>, sp> {};
struct post_dec : seq<two<'-'>, sp> {};
struct postfix_expr : seq<primary_expr, star<sor<index_suffix, dot_suffix, arrow_suffix, post_inc, post_dec>>> {};

struct pre_inc_op : seq<two<'+'>, sp> {};
struct pre_dec_op : seq<two<'-'>, sp> {};
struct pre_inc : seq<pre_inc_op, must<unary_expr>> {};
struct pre_dec : seq<pre_dec_op, must<unary_expr>> {};
// `-x +x !x ~x *p &lv` (not `--`, `&&`, `->`).
struct unary_op
    : sor<seq<one<'-'>, not_at<one<'-', '>'>>>, seq<one<'+'>, not_at<one<'+'>>>, one<'!'>, one<'~'>,
          one<'*'>, seq<one<'&'>, not_at<one<'&'>>>> {};
struct prefix_expr : seq<unary_op, sp, must<unary_expr>> {};
struct cast_close : p<')'> {};
// `(type) expr`, recognized by a type after the parenthesis.
struct cast_expr : seq<at<one<'('>, sp, type_start>, p<'('>, type_name, must<cast_close>, must<unary_expr>> {};
struct sizeof_type : seq<at<one<'('>, sp, type_start>, p<'('>, type_name, must<cast_close>> {};
struct sizeof_operand : seq<unary_expr> {};
struct sizeof_arg : sor<sizeof_type, sizeof_operand> {};
struct sizeof_kw : kw_sizeof {};
struct sizeof_expr : seq<sizeof_kw, sp, must<sizeof_arg>> {};
struct unary_expr : sor<pre_inc, pre_dec, sizeof_expr, cast_expr, prefix_expr, postfix_expr> {};

// Binary levels, tightest first. Each `X_tail` is an operator and its right
// operand; the action folds it onto the left operand (left associative).
struct mul_op : sor<seq<one<'*'>, not_at<one<'='>>>, seq<one<'/'>, not_at<one<'=', '/', '*'>>>, seq<one<'%'>, not_at<one<'='>>>> {};
struct mul_tail : seq<mul_op, sp, must<unary_expr>> {};
struct mul_expr : seq<unary_expr, star<mul_tail>> {};
struct add_op : sor<seq<one<'+'>, not_at<one<'+', '='>>>, seq<one<'-'>, not_at<one<'-', '=', '>'>>>> {};
struct add_tail : seq<add_op, sp, must<mul_expr>> {};
struct add_expr : seq<mul_expr, star<add_tail>> {};
struct shift_op : sor<seq<two<'<'>, not_at<one<'='>>>, seq<two<'>'>, not_at<one<'='>>>> {};
struct shift_tail : seq<shift_op, sp, must<add_expr>> {};
struct shift_expr : seq<add_expr, star<shift_tail>> {};
// `<` is not `<-` (the aggregate arrow) nor `<<`.
struct rel_op : sor<string<'<', '='>, string<'>', '='>, seq<one<'<'>, not_at<one<'<', '-'>>>, seq<one<'>'>, not_at<one<'>'>>>> {};
struct rel_tail : seq<rel_op, sp, must<shift_expr>> {};
struct rel_expr : seq<shift_expr, star<rel_tail>> {};
struct eq_op : sor<string<'=', '='>, string<'!', '='>> {};
struct eq_tail : seq<eq_op, sp, must<rel_expr>> {};
struct eq_expr : seq<rel_expr, star<eq_tail>> {};
struct band_op : seq<one<'&'>, not_at<one<'&', '='>>> {};
struct band_tail : seq<band_op, sp, must<eq_expr>> {};
struct band_expr : seq<eq_expr, star<band_tail>> {};
struct bxor_op : seq<one<'^'>, not_at<one<'='>>> {};
struct bxor_tail : seq<bxor_op, sp, must<band_expr>> {};
struct bxor_expr : seq<band_expr, star<bxor_tail>> {};
struct bor_op : seq<one<'|'>, not_at<one<'|', '='>>> {};
struct bor_tail : seq<bor_op, sp, must<bxor_expr>> {};
struct bor_expr : seq<bxor_expr, star<bor_tail>> {};
struct land_op : string<'&', '&'> {};
struct land_tail : seq<land_op, sp, must<bor_expr>> {};
struct land_expr : seq<bor_expr, star<land_tail>> {};
struct lor_op : string<'|', '|'> {};
struct lor_tail : seq<lor_op, sp, must<land_expr>> {};
struct lor_expr : seq<land_expr, star<lor_tail>> {};
struct colon : p<':'> {};
// `c ? a : b`.
struct cond_tail : seq<p<'?'>, must<expression>, must<colon>, must<conditional_expr>> {};
struct conditional_expr : seq<lor_expr, opt<cond_tail>> {};
struct assign_op
    : sor<seq<one<'='>, not_at<one<'='>>>, string<'+', '='>, string<'-', '='>, string<'*', '='>,
          string<'/', '='>, string<'%', '='>, string<'<', '<', '='>, string<'>', '>', '='>,
          string<'&', '='>, string<'^', '='>, string<'|', '='>> {};
// `lhs = rhs` and compound assignments (right associative).
struct assign_tail : seq<assign_op, sp, must<assignment_expr>> {};
struct assignment_expr : seq<conditional_expr, opt<assign_tail>> {};
struct comma_tail : seq<p<','>, must<assignment_expr>> {};
struct expression : seq<assignment_expr, star<comma_tail>> {};

// ---- Statements -------------------------------------------------------------

struct statement;
struct semi : p<';'> {};
struct block_open : p<'{'> {};
struct block_close : p<'}'> {};
struct block : seq<block_open, star<not_at<sor<one<'}'>, eof>>, must<statement>>, must<block_close>> {};

struct storage_class : seq<sor<kw_pervmk, kw_pervm, kw_perhost>, sp> {};
struct no_storage : success {};
struct init_declarator : seq<declarator, opt<initializer>> {};
struct decl_more : seq<p<','>, must<init_declarator>> {};
// `[pervm] int a = 1, *b;` inside a body.
struct local_decl : seq<sor<storage_class, no_storage>, type_spec, must<init_declarator>, star<decl_more>> {};
struct local_decl_stmt : seq<at<sor<storage_class, type_start>>, local_decl, must<semi>> {};

struct if_kw : kw_if {};
struct else_if_kw : kw_if {};
// `(cond) statement` after `if`.
struct if_rest : seq<sp, must<p<'('>>, must<expression>, must<rparen>, must<statement>> {};
// `else if (cond) statement`: read as one more arm of the same statement,
// not as a statement nested in the else, so that a long chain (a table of
// names) is not nesting: the parser loops over it and it lowers to one cond.
struct else_if : seq<kw_else, sp, else_if_kw, if_rest> {};
struct else_part : seq<kw_else, sp, must<statement>> {};
struct no_else : success {};
struct if_stmt : seq<if_kw, if_rest, star<else_if>, sor<else_part, no_else>> {};
struct while_stmt : seq<kw_while, sp, must<p<'('>>, must<expression>, must<rparen>, must<statement>> {};
struct do_stmt : seq<kw_do, sp, must<statement>, must<kw_while>, sp, must<p<'('>>, must<expression>, must<rparen>, must<semi>> {};
struct for_open : p<'('> {};
struct for_init_expr : seq<expression> {};
struct for_init : opt<sor<seq<at<type_start>, local_decl>, for_init_expr>> {};
struct null_expr : success {};
struct for_cond : sor<expression, null_expr> {};
struct for_step : sor<expression, null_expr> {};
struct for_stmt : seq<kw_for, sp, must<for_open>, for_init, must<semi>, for_cond, must<semi>, for_step, must<rparen>, must<statement>> {};
struct foreach_var : seq<identifier, sp> {};
struct foreach_stmt
    : seq<kw_foreach, sp, must<p<'('>>, must<foreach_var>, must<p<','>>, must<foreach_var>, must<rparen>,
          must<kw_in>, sp, must<foreach_var>, must<statement>> {};
struct catch_name : seq<identifier, sp> {};
struct catch_names : opt<p<'('>, opt<catch_name, star<p<','>, must<catch_name>>>, must<rparen>> {};
struct catch_kw : kw_catch {};
struct catch_head : seq<catch_kw, sp, catch_names> {};
// `catch (Name, ...) { ... }` or `catch { ... }` (everything).
struct catch_clause : seq<catch_head, must<block>> {};
struct try_kw : seq<kw_try, sp> {};
struct try_stmt : seq<try_kw, must<block>, must<catch_clause>, star<catch_clause>> {};
struct return_stmt : seq<kw_return, sp, sor<expression, null_expr>, must<semi>> {};
struct break_stmt : seq<kw_break, sp, must<semi>> {};
struct continue_stmt : seq<kw_continue, sp, must<semi>> {};
struct empty_stmt : p<';'> {};
// `a[k] <- v`.
struct arrow_tail : seq<string<'<', '-'>, sp, must<expression>> {};
struct plain_expr_end : success {};
struct expr_stmt : seq<expression, sor<arrow_tail, plain_expr_end>, must<semi>> {};
struct statement
    : sor<block, if_stmt, while_stmt, do_stmt, for_stmt, foreach_stmt, try_stmt, return_stmt,
          break_stmt, continue_stmt, empty_stmt, local_decl_stmt, expr_stmt> {};

// ---- Top level --------------------------------------------------------------

struct memmodel_name : seq<identifier, sp> {};
// `memmodel guest64;`: the size of guest pointers.
struct memmodel_decl : seq<kw_memmodel, sp, must<memmodel_name>, must<semi>> {};
struct typedef_declarator : seq<declarator> {};
// `typedef struct S { ... } S, *SPtr;`.
struct typedef_decl : seq<kw_typedef, sp, must<type_spec>, must<typedef_declarator>, star<p<','>, must<typedef_declarator>>, must<semi>> {};
struct aggr_name : seq<identifier, sp> {};
// `[N]` of an aggregate or bag declaration.
struct aggr_dim : seq<p<'['>, must<conditional_expr>, must<dim_close>> {};
struct aggr_item : seq<aggr_name, must<aggr_dim>, star<aggr_dim>> {};
// `aggr lats[1][0], hist[2];`.
struct aggr_decl : seq<kw_aggr, sp, must<aggr_item>, star<p<','>, must<aggr_item>>, must<semi>> {};
struct bag_name : seq<identifier, sp> {};
struct bag_dim : seq<p<'['>, must<conditional_expr>, must<dim_close>> {};
struct bag_item : seq<bag_name, opt<bag_dim>> {};
// `bag b[1024], c;`.
struct bag_decl : seq<kw_bag, sp, must<bag_item>, star<p<','>, must<bag_item>>, must<semi>> {};

struct ellipsis : seq<string<'.', '.', '.'>, sp> {};
struct param_kind : sor<seq<kw_bag, sp>, seq<kw_aggr, sp>> {};
struct param_type : sor<param_kind, type_spec> {};
struct param_declarator : seq<declarator_start, star<ptr_star>, opt<declarator_name>, star<array_dim>> {};
struct param : seq<param_type, param_declarator> {};
struct void_params : seq<kw_void, sp, at<one<')'>>> {};
struct param_or_ellipsis : sor<ellipsis, param> {};
struct param_list : opt<sor<void_params, ellipsis, seq<param, star<p<','>, must<param_or_ellipsis>>>>> {};
struct params_open : p<'('> {};
struct func_proto_end : p<';'> {};
struct func_body : sor<block, func_proto_end> {};
// `int f(int a) { ... }` or a prototype `int f(int a);`.
struct func_rest : seq<params_open, param_list, must<rparen>, must<func_body>> {};
// The initializer of the first declarator (already parsed to tell a
// variable from a function).
struct first_declarator_end : opt<initializer> {};
struct global_var_rest : seq<first_declarator_end, star<decl_more>, must<semi>> {};
struct type_decl_end : p<';'> {};
struct decl_after_type : sor<type_decl_end, seq<declarator, sor<func_rest, global_var_rest>>> {};
// A global declaration, a type declaration or a function.
struct global_decl : seq<at<type_start>, type_spec, must<decl_after_type>> {};
struct shared_var : seq<type_spec, must<init_declarator>, star<decl_more>, must<semi>> {};
struct shared_rest : sor<aggr_decl, bag_decl, shared_var> {};
// `perhost uint64 x;`, `perhost aggr a[0][1];`.
struct shared_decl : seq<storage_class, must<shared_rest>> {};

// A probe name: `VMM:HV_Exit`, `GUEST:foo+0x10`, `VMM:TIMER:1msec`,
// `Guest_*` (a glob), `GUEST:kernel/mm.c:114` (a line; a `/` that starts
// a comment ends the name); checked by the probe resolver, not here.
struct probe_path_slash : seq<one<'/'>, not_at<one<'/', '*'>>> {};
struct probe_name_char : sor<ident_other, one<':', '.', '*', '?', '+', '$', '-', '!'>, probe_path_slash> {};
struct probe_name : seq<sor<ranges<'a', 'z', 'A', 'Z', '_'>, one<'*', '?'>>, star<probe_name_char>> {};
struct probe_params : seq<at<one<'('>, sp, sor<type_start, one<')', '.'>>>, params_open, param_list, must<rparen>> {};
struct probe_body : sor<block, statement> {};
// `NAME[(params)] body`: the body is a block or a single statement.
struct probe_def : seq<probe_name, sp, opt<probe_params>, must<probe_body>> {};

// `@MEMORY_MODEL = guest32`: the 2011 compiler's spelling of `memmodel
// guest32;`, one line, the `;` optional.
struct memory_model_kw : seq<one<'@'>, TAO_PEGTL_STRING("MEMORY_MODEL"), not_at<ident_other>, sp> {};
struct memory_model_spec : seq<memory_model_kw, must<p<'='>>, must<memmodel_name>, opt<semi>> {};

struct top_item : sor<memmodel_decl, memory_model_spec, typedef_decl, aggr_decl, bag_decl, shared_decl, global_decl, probe_def> {};
struct end_of_input : eof {};
// A whole (preprocessed) file.
struct grammar : seq<sp, star<not_at<eof>, must<top_item>>, must<end_of_input>> {};

}  // namespace emmett::grammar

// typedef_name is a custom rule; tell the grammar analyzer it consumes
// input when it succeeds (it matches an identifier).
template <typename Name>
struct tao::pegtl::analyze_traits<Name, emmett::grammar::typedef_name> : analyze_any_traits<> {};
// So are external_type_name and external_value_name (they match `$module.NAME`).
template <typename Name, typename Admit>
struct tao::pegtl::analyze_traits<Name, emmett::grammar::external_name_if<Admit>> : analyze_any_traits<> {};
