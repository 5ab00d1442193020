#include "emmett2vp/src/passes/call_graph.h"

#include <unordered_map>

#include "emmett2vp/src/ast/visitor.h"

namespace emmett {
namespace {

// Collects, per function, the user functions its body calls.
class CallCollector : public ast::Visitor<CallCollector> {
 public:
  using Visitor::visit;
  std::unordered_map<Symbol*, std::vector<Symbol*>> edges;
  std::vector<Symbol*> functions;

  void visit(ast::FuncDef& n) {
    if (!n.body || !n.sym || n.sym->func != &n) return;
    current_ = n.sym;
    functions.push_back(n.sym);
    edges[n.sym];
    dispatch(static_cast<ast::Stmt*>(n.body.get()));
    current_ = nullptr;
  }
  void visit(ast::Probe&) {}
  void visit(ast::Call& n) {
    if (current_ && n.fn) edges[current_].push_back(n.fn);
    for (auto& a : n.args) dispatch(a.get());
  }

 private:
  Symbol* current_ = nullptr;
};

// Tarjan's strongly connected components, iteratively (call chains in
// generated scripts can be long; recursion depth must not follow them).
void findCycles(const CallCollector& g) {
  std::unordered_map<Symbol*, int> index, low;
  std::unordered_map<Symbol*, bool> onStack;
  std::vector<Symbol*> stack;
  int next = 0;
  struct Frame {
    Symbol* f;
    size_t edge;
  };
  for (Symbol* root : g.functions) {
    if (index.count(root)) continue;
    std::vector<Frame> work{{root, 0}};
    index[root] = low[root] = next++;
    stack.push_back(root);
    onStack[root] = true;
    while (!work.empty()) {
      Frame& fr = work.back();
      const auto& out = g.edges.at(fr.f);
      if (fr.edge < out.size()) {
        Symbol* to = out[fr.edge++];
        if (to == fr.f) fr.f->recursive = true;
        if (!g.edges.count(to)) continue;  // a prototype only
        if (!index.count(to)) {
          index[to] = low[to] = next++;
          stack.push_back(to);
          onStack[to] = true;
          work.push_back({to, 0});
        } else if (onStack[to]) {
          low[fr.f] = std::min(low[fr.f], index[to]);
        }
        continue;
      }
      Symbol* f = fr.f;
      work.pop_back();
      if (!work.empty()) low[work.back().f] = std::min(low[work.back().f], low[f]);
      if (low[f] != index[f]) continue;
      std::vector<Symbol*> scc;
      Symbol* m = nullptr;
      do {
        m = stack.back();
        stack.pop_back();
        onStack[m] = false;
        scc.push_back(m);
      } while (m != f);
      if (scc.size() > 1)
        for (Symbol* s : scc) s->recursive = true;
    }
  }
}

}  // namespace

void markRecursion(ast::Program& program, SymbolTable&) {
  CallCollector c;
  c.visit(program);
  findCycles(c);
}

}  // namespace emmett
