// Subprograms: name, address ranges, declaration line, frame base, and
// every parameter and local with where it lives at each address (what
// `$args`/`$locals` and line probes will need).
#include <dwarf.h>

#include <algorithm>

#include "symdb/src/dwarf_context.h"

namespace symdb::dwarf {
namespace {

std::vector<Range> rangesOf(Dwarf_Die* die) {
  std::vector<Range> out;
  Dwarf_Addr base = 0, start = 0, end = 0;
  ptrdiff_t off = 0;
  while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0)
    if (start < end) out.push_back({start, end});
  return out;
}

Variable readVariable(Context& cx, Dwarf_Die* die, const std::vector<Range>& scope) {
  Variable v;
  v.name = nameOf(die);
  v.type = cx.typeOf(die);
  v.isParam = dwarf_tag(die) == DW_TAG_formal_parameter;
  Dwarf_Attribute a;
  if (dwarf_attr(die, DW_AT_location, &a)) {
    v.locations = locationsOf(&a, scope);
  } else if (dwarf_attr_integrate(die, DW_AT_const_value, &a)) {
    Dwarf_Word u = 0;
    Dwarf_Sword s = 0;
    Location l;
    l.kind = Location::Kind::Constant;
    if (dwarf_formudata(&a, &u) == 0) l.value = u;
    else if (dwarf_formsdata(&a, &s) == 0) l.value = static_cast<uint64_t>(s);
    else return v;  // a block constant (a struct): not kept
    for (const Range& r : scope) {
      l.low = r.low, l.high = r.high;
      v.locations.push_back(l);
    }
  }
  return v;
}

// Parameters and locals, through nested lexical blocks (each narrowing the
// ranges a single-expression location holds over). Inlined calls are
// skipped: their variables belong to the inlined function.
void readVariables(Context& cx, Dwarf_Die* fn, Function& f) {
  std::vector<std::pair<Dwarf_Die, std::vector<Range>>> work{{*fn, f.ranges}};
  while (!work.empty()) {
    auto [scopeDie, scope] = std::move(work.back());
    work.pop_back();
    Dwarf_Die child;
    if (dwarf_child(&scopeDie, &child) != 0) continue;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) {
        f.vars.push_back(readVariable(cx, &child, scope));
      } else if (tag == DW_TAG_lexical_block && work.size() < 256) {
        std::vector<Range> inner = rangesOf(&child);
        work.emplace_back(child, inner.empty() ? scope : inner);
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

// Inlined calls, through lexical blocks and calls inlined into inlined
// calls (breadth first, so that a copy comes before those inside it).
void readInlined(Dwarf_Die* fn, Function& f) {
  std::vector<std::pair<Dwarf_Die, uint32_t>> work{{*fn, 0}};
  for (size_t next = 0; next < work.size() && work.size() < 65536; ++next) {
    auto [scopeDie, depth] = work[next];
    Dwarf_Die child;
    if (dwarf_child(&scopeDie, &child) != 0) continue;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_lexical_block) {
        work.emplace_back(child, depth);
      } else if (tag == DW_TAG_inlined_subroutine && depth < 64) {
        Inlined in{nameOf(&child), depth + 1, rangesOf(&child)};
        Dwarf_Addr entry = 0;
        in.entry = dwarf_entrypc(&child, &entry) == 0 ? entry : 0;
        if (!in.ranges.empty()) f.inlined.push_back(std::move(in));
        work.emplace_back(child, depth + 1);
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  std::stable_sort(f.inlined.begin(), f.inlined.end(), [](const Inlined& a, const Inlined& b) { return a.depth < b.depth; });
}

void readFunction(Context& cx, Dwarf_Die* die) {
  Function f;
  f.ranges = rangesOf(die);
  if (f.ranges.empty()) return;  // a declaration or an inline-only body
  f.name = nameOf(die);
  Dwarf_Addr entry = 0;
  f.entry = dwarf_entrypc(die, &entry) == 0 ? entry : f.ranges[0].low;
  if (const char* file = dwarf_decl_file(die)) f.file = cx.file(file);
  int line = 0;
  if (dwarf_decl_line(die, &line) == 0 && line > 0) f.line = static_cast<uint32_t>(line);
  Dwarf_Attribute a;
  if (dwarf_attr(die, DW_AT_frame_base, &a)) f.frameBase = locationsOf(&a, f.ranges);
  readVariables(cx, die, f);
  readInlined(die, f);
  cx.db().functions.push_back(std::move(f));
}

}  // namespace

void readFunctions(Context& cx, Dwarf_Die* cu) {
  // Subprograms at the top of the unit, or inside (C++) namespaces.
  std::vector<Dwarf_Die> scopes{*cu};
  while (!scopes.empty()) {
    Dwarf_Die scope = scopes.back();
    scopes.pop_back();
    Dwarf_Die child;
    if (dwarf_child(&scope, &child) != 0) continue;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_subprogram) readFunction(cx, &child);
      else if (tag == DW_TAG_namespace && scopes.size() < 64) scopes.push_back(child);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

void readLines(Context& cx, Dwarf_Die* cu) {
  Dwarf_Lines* lines = nullptr;
  size_t n = 0;
  if (dwarf_getsrclines(cu, &lines, &n) != 0) return;  // a unit without a line table
  for (size_t i = 0; i < n; ++i) {
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    Dwarf_Addr addr = 0;
    int line = 0;
    bool endSeq = false;
    if (!l || dwarf_lineaddr(l, &addr) != 0 || dwarf_lineno(l, &line) != 0 || line <= 0) continue;
    if (dwarf_lineendsequence(l, &endSeq) == 0 && endSeq) continue;
    const char* file = dwarf_linesrc(l, nullptr, nullptr);
    bool stmt = true;
    dwarf_linebeginstatement(l, &stmt);
    cx.db().lines.push_back({addr, file ? cx.file(file) : 0, static_cast<uint32_t>(line), stmt});
  }
}

}  // namespace symdb::dwarf
