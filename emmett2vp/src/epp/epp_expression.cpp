#include "emmett2vp/src/epp/epp_expression.h"

#include <array>
#include <cctype>

#include "emmett2vp/src/epp/macro_table.h"

namespace emmett {
namespace {

// A small precedence-climbing evaluator; recursion is bounded so hostile
// input such as thousands of '(' reports an error instead of overflowing.
class Evaluator {
 public:
  explicit Evaluator(std::string_view t) : t_(t) {}

  EppValue run() {
    EppValue r;
    int64_t v = conditional();
    skipSpace();
    if (error_.empty() && pos_ < t_.size()) fail("unexpected '" + std::string(1, t_[pos_]) + "' in #if expression");
    if (error_.empty() && empty_) fail("#if with no expression");
    r.ok = error_.empty();
    r.value = v;
    r.error = error_;
    r.errorOffset = errorPos_;
    return r;
  }

 private:
  static constexpr int kMaxDepth = 200;

  void fail(std::string msg) {
    if (!error_.empty()) return;
    error_ = std::move(msg);
    errorPos_ = pos_;
  }
  void skipSpace() {
    while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_]))) ++pos_;
  }
  bool eat(std::string_view op) {
    skipSpace();
    if (t_.substr(pos_, op.size()) != op) return false;
    // Do not read "<" out of "<<" or "<=", "&" out of "&&", and so on.
    char next = pos_ + op.size() < t_.size() ? t_[pos_ + op.size()] : 0;
    if (op.size() == 1 && (next == op[0] || next == '=') && op != "!" && op != "~" &&
        op != "(" && op != ")" && op != "?" && op != ":")
      return false;
    if (op == "<<" || op == ">>") {
      if (next == '=') return false;
    }
    pos_ += op.size();
    return true;
  }

  int64_t conditional() {
    if (++depth_ > kMaxDepth) {
      fail("#if expression nested too deeply");
      --depth_;
      return 0;
    }
    int64_t c = binary(0);
    if (eat("?")) {
      int64_t a = unevaluatedIf(c == 0, &Evaluator::conditional);
      if (!eat(":")) fail("expected ':' in #if expression");
      int64_t b = unevaluatedIf(c != 0, &Evaluator::conditional);
      c = c ? a : b;
    }
    --depth_;
    return c;
  }

  // Binary levels from loosest to tightest, as in C.
  int64_t binary(int level) {
    static const std::array<std::array<std::string_view, 4>, 10> ops = {{
        {"||", "", "", ""}, {"&&", "", "", ""}, {"|", "", "", ""}, {"^", "", "", ""},
        {"&", "", "", ""}, {"==", "!=", "", ""}, {"<=", ">=", "<", ">"},
        {"<<", ">>", "", ""}, {"+", "-", "", ""}, {"*", "/", "%", ""},
    }};
    if (level == static_cast<int>(ops.size())) return unary();
    int64_t lhs = binary(level + 1);
    for (;;) {
      std::string_view op;
      for (auto o : ops[level])
        if (!o.empty() && eat(o)) {
          op = o;
          break;
        }
      if (op.empty() || !error_.empty()) return lhs;
      // As in C, the right of `||` and `&&` is not evaluated when the left
      // decides: `#if 0 && 1/0` is valid.
      bool decided = (op == "||" && lhs) || (op == "&&" && !lhs);
      int64_t rhs = unevaluatedIf(decided, &Evaluator::binary, level + 1);
      lhs = apply(op, lhs, rhs);
    }
  }

  int64_t apply(std::string_view op, int64_t a, int64_t b) {
    uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
    if (op == "||") return a || b;
    if (op == "&&") return a && b;
    if (op == "|") return a | b;
    if (op == "^") return a ^ b;
    if (op == "&") return a & b;
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    if (op == "<=") return a <= b;
    if (op == ">=") return a >= b;
    if (op == "<") return a < b;
    if (op == ">") return a > b;
    if (op == "<<") return ub >= 64 ? 0 : static_cast<int64_t>(ua << ub);
    if (op == ">>") return ub >= 64 ? (a < 0 ? -1 : 0) : a >> ub;
    if (op == "+") return static_cast<int64_t>(ua + ub);
    if (op == "-") return static_cast<int64_t>(ua - ub);
    if (op == "*") return static_cast<int64_t>(ua * ub);
    if (b == 0) {
      if (unevaluated_ == 0) fail("division by zero in #if expression");
      return 0;
    }
    if (a == INT64_MIN && b == -1) return op == "/" ? a : 0;
    return op == "/" ? a / b : a % b;
  }

  // Parses with `parse` (still checking syntax); when `skip`, the part is
  // not evaluated, so a division by zero in it is no error.
  template <typename... Args>
  int64_t unevaluatedIf(bool skip, int64_t (Evaluator::*parse)(Args...), Args... args) {
    unevaluated_ += skip;
    int64_t v = (this->*parse)(args...);
    unevaluated_ -= skip;
    return v;
  }

  int64_t unary() {
    if (eat("!")) return !unaryNested();
    if (eat("~")) return ~unaryNested();
    if (eat("-")) return static_cast<int64_t>(0 - static_cast<uint64_t>(unaryNested()));
    if (eat("+")) return unaryNested();
    return primary();
  }
  int64_t unaryNested() {
    if (++depth_ > kMaxDepth) {
      fail("#if expression nested too deeply");
      --depth_;
      return 0;
    }
    int64_t v = unary();
    --depth_;
    return v;
  }

  int64_t primary() {
    skipSpace();
    if (pos_ >= t_.size()) {
      if (pos_ == 0 || onlySpaceBefore()) empty_ = true;
      else fail("expected a value at the end of the #if expression");
      return 0;
    }
    char c = t_[pos_];
    if (eat("(")) {
      int64_t v = conditional();
      if (!eat(")")) fail("expected ')' in #if expression");
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return number();
    if (c == '\'') return character();
    if (isIdentStart(c)) {
      while (pos_ < t_.size() && isIdentChar(t_[pos_])) ++pos_;
      return 0;  // an undefined name, as in C
    }
    fail("unexpected '" + std::string(1, c) + "' in #if expression");
    return 0;
  }
  bool onlySpaceBefore() const {
    for (size_t i = 0; i < pos_; ++i)
      if (!std::isspace(static_cast<unsigned char>(t_[i]))) return false;
    return true;
  }

  int64_t number() {
    uint64_t v = 0;
    int base = 10;
    if (t_[pos_] == '0' && pos_ + 1 < t_.size() && (t_[pos_ + 1] == 'x' || t_[pos_ + 1] == 'X')) {
      base = 16;
      pos_ += 2;
    } else if (t_[pos_] == '0') {
      base = 8;
    }
    size_t digits = 0;
    for (; pos_ < t_.size(); ++pos_, ++digits) {
      int d = digitValue(t_[pos_]);
      if (d < 0 || d >= base) break;
      v = v * base + d;
    }
    if (base == 16 && digits == 0) fail("malformed number in #if expression");
    while (pos_ < t_.size() && (t_[pos_] == 'u' || t_[pos_] == 'U' || t_[pos_] == 'l' || t_[pos_] == 'L')) ++pos_;
    if (pos_ < t_.size() && isIdentChar(t_[pos_])) fail("malformed number in #if expression");
    return static_cast<int64_t>(v);
  }
  static int digitValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  int64_t character() {
    ++pos_;
    int64_t v = 0;
    if (pos_ < t_.size() && t_[pos_] == '\\' && pos_ + 1 < t_.size()) {
      char e = t_[pos_ + 1];
      v = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? 0 : e == 'r' ? '\r' : e;
      pos_ += 2;
    } else if (pos_ < t_.size()) {
      v = static_cast<unsigned char>(t_[pos_++]);
    }
    if (pos_ >= t_.size() || t_[pos_] != '\'') {
      fail("malformed character constant in #if expression");
      return 0;
    }
    ++pos_;
    return v;
  }

  std::string_view t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int unevaluated_ = 0;  // > 0 inside a part whose value is not used
  bool empty_ = false;
  std::string error_;
  size_t errorPos_ = 0;
};

}  // namespace

EppValue evaluateEppExpression(std::string_view text) { return Evaluator(text).run(); }

}  // namespace emmett
