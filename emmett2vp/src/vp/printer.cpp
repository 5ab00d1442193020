#include "emmett2vp/src/vp/printer.h"

#include <algorithm>
#include <cstring>

namespace emmett {

namespace {

constexpr size_t kWidth = 80;

// Flat width, stopping once past `limit`.
size_t flatWidth(const SExpr& e, size_t limit) {
  if (e.kind == SExpr::Kind::Atom) return e.atom.size();
  size_t w = 1;
  for (size_t i = 0; i < e.items.size() && w <= limit; ++i) w += (i ? 1 : 0) + flatWidth(e.items[i], limit - std::min(limit, w));
  return w + 1;
}

// Records the span of `e` once it is printed (if it has a location). The
// slot is taken before the inner forms are printed, so outer spans come
// first.
class SpanScope {
 public:
  SpanScope(const SExpr& e, const std::string& out, std::vector<PrintedSpan>* spans)
      : out_(out), spans_(e.loc.line ? spans : nullptr) {
    if (!spans_) return;
    slot_ = spans_->size();
    spans_->push_back({out.size(), out.size(), e.loc});
  }
  ~SpanScope() {
    if (spans_) (*spans_)[slot_].end = out_.size();
  }
  SpanScope(const SpanScope&) = delete;
  SpanScope& operator=(const SpanScope&) = delete;

 private:
  const std::string& out_;
  std::vector<PrintedSpan>* spans_;
  size_t slot_ = 0;
};

void printFlat(const SExpr& e, std::string& out, std::vector<PrintedSpan>* spans) {
  SpanScope scope(e, out, spans);
  if (e.kind == SExpr::Kind::Atom) {
    out += e.atom;
    return;
  }
  out += '(';
  for (size_t i = 0; i < e.items.size(); ++i) {
    if (i) out += ' ';
    printFlat(e.items[i], out, spans);
  }
  out += ')';
}

// How many operands stay on the head's line when a form is broken.
size_t keptOperands(const SExpr& e) {
  if (e.items.empty() || e.items[0].kind != SExpr::Kind::Atom) return 0;
  const std::string& h = e.items[0].atom;
  if (h == "defun") return 2;
  if (h == "bagforeach" || h == "for") return 3;
  if (h == "vprobe" || h == "let" || h == "setint" || h == "setstr" || h == "sprintf" || h == "aggr" ||
      h == "while" || h == "dowhile" || h == "try" || h == "catch" || h == "printf" || h == "getgueststr" || h == "baginsert" || h == "bagput")
    return 1;
  return 0;
}

void print(const SExpr& e, std::string& out, size_t indent, std::vector<PrintedSpan>* spans) {
  size_t col = out.size() - (out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  size_t room = kWidth > col ? kWidth - col : 0;
  if (e.kind != SExpr::Kind::List || flatWidth(e, room) <= room || e.items.size() < 2) {
    printFlat(e, out, spans);
    return;
  }
  SpanScope scope(e, out, spans);
  out += '(';
  size_t keep = std::min(keptOperands(e), e.items.size() - 1);
  for (size_t i = 0; i <= keep; ++i) {
    if (i) out += ' ';
    print(e.items[i], out, indent + 2, spans);
  }
  for (size_t i = keep + 1; i < e.items.size(); ++i) {
    out += '\n';
    out.append(indent + 2, ' ');
    print(e.items[i], out, indent + 2, spans);
  }
  out += ')';
}

}  // namespace

void printVp(const SExpr& e, std::string& out, std::vector<PrintedSpan>* spans) { print(e, out, 0, spans); }

}  // namespace emmett
