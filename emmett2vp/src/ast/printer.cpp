#include "emmett2vp/src/ast/printer.h"

#include "emmett2vp/src/ast/visitor.h"
#include "emmett2vp/src/sema/types.h"

namespace emmett {
namespace {

class Printer : public ast::Visitor<Printer> {
 public:
  using Visitor::visit;
  std::string out;

  void line(const ast::Node& n, const std::string& text) {
    out.append(depth_ * 2, ' ');
    out += text;
    if (n.kind <= ast::NodeKind::Comma) {
      auto& e = static_cast<const ast::Expr&>(n);
      if (e.type) out += " : " + e.type->name;
    }
    out += "  @" + std::to_string(n.loc.line) + ":" + std::to_string(n.loc.col) + "\n";
  }
  template <typename N>
  void nested(N& n, const std::string& text) {
    line(n, text);
    ++depth_;
    Visitor::visit(n);
    --depth_;
  }

  void visit(ast::IntLit& n) { line(n, "int " + std::to_string(n.value)); }
  void visit(ast::StrLit& n) { line(n, "string \"" + n.value + "\""); }
  void visit(ast::Ident& n) { line(n, "ident " + n.name); }
  void visit(ast::Unary& n) { nested(n, "unary " + n.op); }
  void visit(ast::Binary& n) { nested(n, "binary " + n.op); }
  void visit(ast::Assign& n) { nested(n, "assign " + n.op); }
  void visit(ast::IncDec& n) { nested(n, std::string(n.prefix ? "pre" : "post") + (n.increment ? "++" : "--")); }
  void visit(ast::Ternary& n) { nested(n, "?:"); }
  void visit(ast::Call& n) { nested(n, "call " + n.name); }
  void visit(ast::Index& n) { nested(n, "index"); }
  void visit(ast::Member& n) { nested(n, std::string(n.arrow ? "->" : ".") + n.field); }
  void visit(ast::Cast& n) { nested(n, "cast " + n.target.name + std::string(n.pointers, '*')); }
  void visit(ast::SizeofType& n) { line(n, "sizeof " + n.target.name); }
  void visit(ast::SizeofExpr& n) { nested(n, "sizeof"); }
  void visit(ast::Comma& n) { nested(n, ","); }
  void visit(ast::ExprStmt& n) { nested(n, "expr"); }
  void visit(ast::Block& n) { nested(n, "block"); }
  void visit(ast::VarDecl& n) { nested(n, "var " + n.type.name + std::string(n.decl.pointers, '*') + " " + n.decl.name); }
  void visit(ast::If& n) { nested(n, "if"); }
  void visit(ast::While& n) { nested(n, "while"); }
  void visit(ast::DoWhile& n) { nested(n, "do-while"); }
  void visit(ast::For& n) { nested(n, "for"); }
  void visit(ast::Foreach& n) { nested(n, "foreach"); }
  void visit(ast::Break& n) { line(n, "break"); }
  void visit(ast::Continue& n) { line(n, "continue"); }
  void visit(ast::Return& n) { nested(n, "return"); }
  void visit(ast::Try& n) { nested(n, "try"); }
  void visit(ast::Arrow& n) { nested(n, "<-"); }
  void visit(ast::Empty& n) { line(n, "empty"); }
  void visit(ast::AggrDecl& n) { line(n, "aggr " + n.name); }
  void visit(ast::BagDecl& n) { line(n, "bag " + n.name); }
  void visit(ast::FuncDef& n) { nested(n, "function " + n.name); }
  void visit(ast::Probe& n) { nested(n, "probe " + n.name); }
  void visit(ast::Typedef& n) { line(n, "typedef " + n.decl.name); }
  void visit(ast::TypeDecl& n) { line(n, "type " + n.type.name); }
  void visit(ast::Memmodel& n) { line(n, "memmodel " + n.model); }

 private:
  int depth_ = 0;
};

}  // namespace

std::string printAst(ast::Program& program) {
  Printer p;
  p.visit(program);
  return p.out;
}

}  // namespace emmett
