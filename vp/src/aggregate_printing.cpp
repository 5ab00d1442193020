#include "vp/aggregate_printing.h"

#include <algorithm>

#include "vp/src/diagnostics.h"
#include "vp/src/sexpr.h"

namespace vp {
namespace {

constexpr size_t kMaxProbes = 32;  // the checker's limit

// Records the aggregate named by every (printa NAME ...) / (logaggr NAME).
void collectPrinted(const SExpr& e, std::vector<std::string>& printed) {
  if (!e.isList()) return;
  std::string_view h = e.head();
  if ((h == "printa" || h == "logaggr") && e.items.size() > 1 && e.items[1].isSymbol())
    printed.push_back(e.items[1].text);
  for (const SExpr& item : e.items) collectPrinted(item, printed);
}

struct Summary {
  bool parsed = false;
  size_t probes = 0;
  std::vector<std::string> unprinted;
};

Summary summarize(std::string_view source) {
  std::vector<Diagnostic> messages;
  Diagnostics diags("", messages);
  std::vector<SExpr> forms = parseSExprs(source, diags);
  Summary s;
  if (diags.failed()) return s;
  s.parsed = true;
  std::vector<std::string> defined, printed;
  for (const SExpr& f : forms) {
    if (f.head() == "vprobe") ++s.probes;
    bool aggregate = f.head() == "defaggr" || f.head() == "defhist";
    if (aggregate && f.items.size() > 1 && f.items[1].isSymbol())
      defined.push_back(f.items[1].text);
    collectPrinted(f, printed);
  }
  for (const std::string& name : defined)
    if (std::find(printed.begin(), printed.end(), name) == printed.end())
      s.unprinted.push_back(name);
  return s;
}

}  // namespace

std::vector<std::string> unprintedAggregates(std::string_view source) {
  return summarize(source).unprinted;
}

std::string withUnloadPrinting(std::string_view source) {
  Summary s = summarize(source);
  std::string out(source);
  if (!s.parsed || s.unprinted.empty() || s.probes >= kMaxProbes) return out;
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "\n; the aggregates the script never prints, shown when it is unloaded\n";
  out += "(vprobe VMXUnload";
  for (const std::string& name : s.unprinted) out += " (logaggr " + name + ")";
  out += ")\n";
  return out;
}

}  // namespace vp
