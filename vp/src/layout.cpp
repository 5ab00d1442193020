#include "vp/src/layout.h"

#include <algorithm>

namespace vp {

bool isSimpleOperand(const Expr* e) {
  if (e->op == Op::IntConst) return true;
  if (e->op == Op::Var) return e->type == Type::Int;
  if (e->op == Op::Global) return e->index <= static_cast<uint32_t>(Global::ARG9) &&
                                  e->index >= static_cast<uint32_t>(Global::ARG0);
  return false;
}

namespace {

bool isBinary(Op op) { return op >= Op::Add && op <= Op::Ge; }

// Nodes whose string value may point into a child's temporary buffer; the
// buffer then has to outlive the node.
bool passesString(const Expr* e) {
  return e->type == Type::Str &&
         (e->op == Op::Cond || e->op == Op::Do || e->op == Op::Let || e->op == Op::Try);
}

class Layout {
 public:
  explicit Layout(Function& fn) : fn_(fn) {}

  void run() {
    fn_.localSlot.assign(fn_.locals.size(), -1);
    visit(fn_.body);
    fn_.intSlots = intMax_;
    fn_.strSlots = strMax_;
    fn_.outArgs = outMax_;
    uint32_t bytes = 16 + 8 * outMax_ + 8 * intMax_ + 256 * strMax_;
    fn_.frameBytes = (bytes + 15) / 16 * 16;
  }

 private:
  int32_t newInt(uint32_t n = 1) {
    auto s = static_cast<int32_t>(intTop_);
    intTop_ += n;
    intMax_ = std::max(intMax_, intTop_);
    return s;
  }
  int32_t newStr() {
    auto s = static_cast<int32_t>(strTop_++);
    strMax_ = std::max(strMax_, strTop_);
    return s;
  }

  void call(Expr* e) {
    e->slot = newInt(static_cast<uint32_t>(e->kids.size()));
    e->argStrSlots.assign(e->kids.size(), -1);
    for (size_t i = 0; i < e->kids.size(); ++i) {
      const Expr* a = e->kids[i];
      if (a->type == Type::Str && a->op != Op::Var) e->argStrSlots[i] = newStr();
    }
    uint32_t words = static_cast<uint32_t>(e->kids.size()) + (e->type == Type::Str ? 1 : 0);
    outMax_ = std::max(outMax_, words);
    for (Expr* k : e->kids) visit(k);
  }

  void let(Expr* e) {
    for (size_t i = 0; i + 1 < e->kids.size(); ++i) {
      Expr* set = e->kids[i];
      fn_.localSlot[set->var.index] = set->var.type == Type::Str ? newStr() : newInt();
      visit(set);
    }
    visit(e->kids.back());
  }

  void visit(Expr* e) {
    // A call's own result buffer lives until its parent is done with it.
    if (e->op == Op::Call && e->type == Type::Str) e->strSlot = newStr();
    uint32_t intMark = intTop_, strMark = strTop_;
    if (isBinary(e->op)) {
      visit(e->kids[0]);
      if (!isSimpleOperand(e->kids[1])) e->slot = newInt();
      visit(e->kids[1]);
    } else if (e->op == Op::Call) {
      call(e);
    } else if (e->op == Op::Builtin) {
      e->slot = newInt(static_cast<uint32_t>(e->kids.size()));
      for (Expr* k : e->kids) visit(k);
    } else if (e->op == Op::Let) {
      let(e);
    } else if (e->op == Op::BagForeach) {
      e->slot = newInt(2);  // index and count
      for (Expr* k : e->kids) visit(k);
    } else {
      for (Expr* k : e->kids) visit(k);
    }
    intTop_ = intMark;
    if (!passesString(e)) strTop_ = strMark;
  }

  Function& fn_;
  uint32_t intTop_ = 0, intMax_ = 0, strTop_ = 0, strMax_ = 0, outMax_ = 0;
};

}  // namespace

void layoutProgram(Program& p) {
  for (auto& fn : p.functions) Layout(fn).run();
}

}  // namespace vp
