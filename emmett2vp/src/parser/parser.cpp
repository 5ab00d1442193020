#include "emmett2vp/src/parser/parser.h"

#include <tao/pegtl.hpp>

#include "emmett2vp/src/parser/actions.h"
#include "emmett2vp/src/parser/error_messages.h"
#include "emmett2vp/src/parser/grammar.h"
#include "emmett2vp/src/parser/parse_state.h"
#include "emmett2vp/src/sema/external_types.h"

namespace emmett {
namespace {

namespace pegtl = tao::pegtl;

// The nesting the parser recurses through; bounded (kMaxNesting) so that
// hostile input cannot overflow the stack.
template <typename Rule>
inline constexpr bool kNests = std::is_same_v<Rule, grammar::unary_expr> ||
                               std::is_same_v<Rule, grammar::statement> ||
                               std::is_same_v<Rule, grammar::assignment_expr> ||
                               std::is_same_v<Rule, grammar::conditional_expr> ||
                               std::is_same_v<Rule, grammar::record_spec>;

struct NestingError {
  pegtl::position pos;
};

template <typename Rule>
struct control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  static void start(const Input& in, parser::ParseState& st, States&&...) {
    if constexpr (kNests<Rule>) {
      if (++st.nesting > kMaxNesting) throw pegtl::parse_error("nesting deeper than 200 levels", in);
    }
  }
  template <typename Input, typename... States>
  static void success(const Input&, parser::ParseState& st, States&&...) {
    if constexpr (kNests<Rule>) --st.nesting;
  }
  template <typename Input, typename... States>
  static void failure(const Input&, parser::ParseState& st, States&&...) {
    if constexpr (kNests<Rule>) --st.nesting;
  }
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&...) {
    const char* msg = parser::error_message<Rule>;
    throw pegtl::parse_error(msg ? msg : "syntax error", in);
  }
};

// A UTF-8 typographic quote (from text pasted out of a PDF) deserves a
// clearer message than "expected an expression".
std::string explain(std::string_view text, size_t byte, std::string msg) {
  std::string_view rest = text.substr(std::min(byte, text.size()));
  if (rest.substr(0, 3) == "\xe2\x80\x9c" || rest.substr(0, 3) == "\xe2\x80\x9d" ||
      rest.substr(0, 3) == "\xe2\x80\x98" || rest.substr(0, 3) == "\xe2\x80\x99")
    return msg + " (found a typographic quote; use '\"' or '\\'')";
  return msg;
}

}  // namespace

bool parse(std::string_view text, const LineMap& map, Diagnostics& diags, ast::Program& out,
           const ExternalTypes* externals) {
  parser::ParseState st(map, diags);
  if (externals) {
    st.isExternalValue = [externals](std::string_view w) { return externals->constant(w).has_value(); };
    st.isExternalModule = [externals](std::string_view w) {
      std::string_view mod, name;
      return splitExternal(w, mod, name) && externals->isModule(mod);
    };
  }
  pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf> in(text.data(), text.size(), "");
  size_t before = diags.errorCount();
  try {
    pegtl::parse<grammar::grammar, parser::action, control>(in, st);
  } catch (const pegtl::parse_error& e) {
    const auto& pos = e.positions().front();
    Location loc = map.map(static_cast<uint32_t>(pos.line), static_cast<uint32_t>(pos.column));
    if (pos.byte >= text.size() && map.lines() > 0) {
      // At the end of the input: point just past the last line's text.
      size_t end = text.size() && text.back() == '\n' ? text.size() - 1 : text.size();
      size_t start = text.rfind('\n', end ? end - 1 : 0);
      start = start == std::string_view::npos || end == 0 ? 0 : start + 1;
      loc = map.map(static_cast<uint32_t>(map.lines()), static_cast<uint32_t>(end - start + 1));
    }
    diags.error(loc) << explain(text, pos.byte, std::string(e.message()));
  } catch (const parser::ParseAbort&) {
    // already reported
  }
  out = std::move(st.program);
  return diags.errorCount() == before;
}

}  // namespace emmett
