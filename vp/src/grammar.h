// PEGTL grammar of VP's S-expression syntax (chapter 2, "VP Syntax").
#pragma once

#include <tao/pegtl.hpp>

namespace vp::grammar {

namespace pegtl = tao::pegtl;

// ; to the end of the line.
struct comment : pegtl::seq<pegtl::one<';'>, pegtl::until<pegtl::eolf>> {};
// White space and comments separate items.
struct sep : pegtl::sor<pegtl::space, comment> {};
struct skip : pegtl::star<sep> {};

// Inside a string: a backslash escape, or any byte but `"` and `\`.
struct escaped : pegtl::seq<pegtl::one<'\\'>, pegtl::any> {};
struct plain : pegtl::not_one<'"', '\\'> {};
struct string_body : pegtl::star<pegtl::sor<escaped, plain>> {};
struct string_open : pegtl::one<'"'> {};
struct string_close : pegtl::one<'"'> {};
struct string_lit : pegtl::if_must<string_open, string_body, string_close> {};

// An atom is a maximal run of bytes that are not delimiters; the action
// decides whether it is an integer literal or a name.
struct delimiter : pegtl::sor<pegtl::space, pegtl::one<'(', ')', '"', ';'>> {};
struct atom : pegtl::plus<pegtl::not_at<delimiter>, pegtl::any> {};

struct open : pegtl::one<'('> {};
struct close : pegtl::one<')'> {};
struct item;
struct list_body : pegtl::star<item, skip> {};
struct list : pegtl::if_must<open, skip, list_body, close> {};
struct item : pegtl::sor<list, string_lit, atom> {};

// A stray `)` at top level gets its own message.
struct stray_close : pegtl::one<')'> {};
struct top_item
    : pegtl::sor<item, pegtl::seq<pegtl::at<pegtl::one<')'>>, pegtl::raise<stray_close>>> {};
struct file : pegtl::must<skip, pegtl::star<top_item, skip>, pegtl::eof> {};

template <typename Rule>
inline constexpr const char* error_message = nullptr;
template <> inline constexpr auto error_message<string_body> = "malformed string literal";
template <> inline constexpr auto error_message<string_close> = "unterminated string literal";
template <> inline constexpr auto error_message<skip> = "unexpected input";
template <> inline constexpr auto error_message<list_body> = "malformed list";
template <> inline constexpr auto error_message<close> = "missing ')': list is not closed";
template <> inline constexpr auto error_message<stray_close> = "unexpected ')' without a matching '('";
template <> inline constexpr auto error_message<pegtl::star<top_item, skip>> = "unexpected input";
template <> inline constexpr auto error_message<pegtl::eof> = "unexpected input at top level";

// Messages are used only where the grammar says must (or raise): a rule
// failing inside an alternative is not an error.
struct error {
  template <typename Rule>
  static constexpr auto message = error_message<Rule>;
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};
template <typename Rule>
using control = pegtl::must_if<error>::control<Rule>;

}  // namespace vp::grammar
