// Builds the S-expression tree with PEGTL actions.
#include <tao/pegtl.hpp>

#include "vp/src/grammar.h"
#include "vp/src/sexpr.h"

namespace vp {

namespace pegtl = tao::pegtl;

namespace {

// Deeper nesting than any real script needs; the bound keeps the parser's
// recursion (and the checker's) far from the host stack's end.
constexpr size_t kMaxDepth = 200;
constexpr size_t kMaxStringBytes = 255;

struct ParseState {
  Loc stringStart;  // where the string being read began
  std::vector<SExpr> top;
  std::vector<SExpr> open;  // lists being built, innermost last
  Diagnostics& diags;

  void add(SExpr item) {
    (open.empty() ? top : open.back().items).push_back(std::move(item));
  }
  // The next item would be the argument of a top-level (version ...): the
  // 2011 Emmett compiler printed it as a bare number, (version 1.0), which
  // the checker reads as a version rather than a malformed integer.
  bool atBareVersion() const {
    return open.size() == 1 && open.back().items.size() == 1 &&
           open.back().items[0].isSymbol("version");
  }
};

template <typename Input>
Loc locOf(const Input& in) {
  auto p = in.position();
  return {static_cast<uint32_t>(p.line), static_cast<uint32_t>(p.column)};
}

// Where the first NUL byte of `text` is, `text` starting at `start`; false
// when it has none. Strings are C strings at run time, so a NUL would cut
// them short without a word: it is refused instead.
bool findNul(std::string_view text, Loc start, Loc& at) {
  size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return false;
  at = advance(start, text.substr(0, nul));
  return true;
}

constexpr const char* kNulMessage = "a NUL byte is not valid VP source";

char unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    default: return c;  // \\, \" and, per the reference, any other \c is c
  }
}

template <typename Rule>
struct action : pegtl::nothing<Rule> {};

template <>
struct action<grammar::open> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    if (st.open.size() >= kMaxDepth) {
      throw pegtl::parse_error("lists nested more than 200 deep", in);
    }
    SExpr list;
    list.kind = SExpr::Kind::List;
    list.loc = locOf(in);
    st.open.push_back(std::move(list));
  }
};

template <>
struct action<grammar::string_open> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    st.stringStart = locOf(in);
  }
};

template <>
struct action<grammar::list> {
  template <typename Input>
  static void apply(const Input&, ParseState& st) {
    SExpr done = std::move(st.open.back());
    st.open.pop_back();
    st.add(std::move(done));
  }
};

template <>
struct action<grammar::string_lit> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    std::string_view raw = in.string_view();
    raw = raw.substr(1, raw.size() - 2);
    SExpr s;
    s.kind = SExpr::Kind::String;
    s.loc = locOf(in);
    Loc nul;
    if (findNul(raw, {s.loc.line, s.loc.col + 1}, nul)) {
      st.diags.error(nul, std::string(kNulMessage) + " (in a string literal)");
    }
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size()) c = unescape(raw[++i]);
      s.text.push_back(c);
    }
    if (s.text.size() > kMaxStringBytes) {
      st.diags.error(s.loc, "string literal is " +
                                std::to_string(s.text.size()) +
                                " bytes; strings hold at most 255");
    }
    st.add(std::move(s));
  }
};

template <>
struct action<grammar::atom> {
  template <typename Input>
  static void apply(const Input& in, ParseState& st) {
    SExpr a;
    a.loc = locOf(in);
    std::string_view text = in.string_view();
    Loc nul;
    if (findNul(text, a.loc, nul)) st.diags.error(nul, kNulMessage);
    bool overflow = false;
    if (parseIntegerLiteral(text, a.value, overflow)) {
      a.kind = SExpr::Kind::Integer;
      if (overflow) {
        st.diags.error(a.loc, "integer literal '" + std::string(text) +
                                  "' does not fit in 64 bits");
      }
    } else {
      size_t digit = (text[0] == '+' || text[0] == '-') ? 1 : 0;
      if (digit < text.size() && text[digit] >= '0' && text[digit] <= '9' &&
          !st.atBareVersion()) {
        st.diags.error(a.loc,
                       "malformed integer literal '" + std::string(text) + "'");
      }
      a.kind = SExpr::Kind::Symbol;
    }
    a.text = std::string(text);
    st.add(std::move(a));
  }
};

}  // namespace

bool parseIntegerLiteral(std::string_view text, uint64_t& value,
                         bool& overflow) {
  overflow = false;
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return false;
  unsigned __int128 v = 0;
  for (char c : text) {
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * base + d;
    if (v > UINT64_MAX) overflow = true;
  }
  value = static_cast<uint64_t>(v);
  if (negative) value = 0 - value;
  return true;
}

std::vector<SExpr> parseSExprs(std::string_view source, Diagnostics& diags) {
  ParseState st{{}, {}, {}, diags};
  pegtl::memory_input in(source.data(), source.size(), diags.file());
  try {
    pegtl::parse<grammar::file, action, grammar::control>(in, st);
  } catch (const pegtl::parse_error& e) {
    const auto& pos = e.positions().front();
    std::string msg(e.message());
    Loc at{static_cast<uint32_t>(pos.line), static_cast<uint32_t>(pos.column)};
    // An unclosed list is best shown where it was opened.
    if (msg.rfind("missing ')'", 0) == 0 && !st.open.empty()) {
      at = st.open.back().loc;
      msg = "this '(' is never closed";
    } else if (msg.rfind("unterminated string", 0) == 0) {
      at = st.stringStart;
      msg = "this string literal is never closed";
    }
    diags.error(at, msg);
  }
  return std::move(st.top);
}

}  // namespace vp
