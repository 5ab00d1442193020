// printa (VP 1.2): an aggregate as a table, or each bucket through a
// format with the field selectors of the VProbes update slides.
#include <algorithm>
#include <cstring>

#include "vp/src/ast.h"
#include "vp/src/format.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"
#include "vp/src/quote.h"

namespace vp::rt {

namespace {

struct Row {
  const AggrKey* key;
  const AggrStats* stats;
  unsigned __int128 share;  // tenths of a percent of the total sum
};

// Columns: the keys (integer, then string), then the statistics.
enum class Stat { Key, Avg, Count, Min, Max, Sum, Pct, Latest };

struct Column {
  Stat stat;
  size_t key = 0;  // for Stat::Key
  std::string name;
};

std::vector<Column> defaultColumns(uint32_t nInt, uint32_t nStr) {
  std::vector<Column> cols;
  for (uint32_t i = 0; i < nInt; ++i) cols.push_back({Stat::Key, i, "intKey" + std::to_string(i)});
  for (uint32_t i = 0; i < nStr; ++i) cols.push_back({Stat::Key, nInt + i, "strKey" + std::to_string(i)});
  cols.push_back({Stat::Avg, 0, "avg"});
  cols.push_back({Stat::Count, 0, "count"});
  cols.push_back({Stat::Min, 0, "min"});
  cols.push_back({Stat::Max, 0, "max"});
  cols.push_back({Stat::Pct, 0, "pct%"});
  return cols;
}

std::string pctText(const Row& r) {
  auto tenths = static_cast<uint64_t>(r.share);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

// The cell's value: an integer (isInt) or text.
struct Cell {
  bool isInt;
  uint64_t value;
  std::string text;
};

Cell cellOf(const Column& c, const Row& r, uint32_t nInt) {
  const AggrStats& s = *r.stats;
  switch (c.stat) {
    case Stat::Key:
      if (c.key < nInt) return {true, r.key->ints[c.key], ""};
      return {false, 0, r.key->strs[c.key - nInt]};
    case Stat::Avg: return {true, s.avg(), ""};
    case Stat::Count: return {true, s.count, ""};
    case Stat::Min: return {true, s.min, ""};
    case Stat::Max: return {true, s.max, ""};
    case Stat::Sum: return {true, static_cast<uint64_t>(s.sum), ""};
    case Stat::Latest: return {true, s.latest, ""};
    case Stat::Pct: return {false, 0, pctText(r)};
  }
  return {true, 0, ""};
}

std::string plainText(const Column& c, const Cell& cell) {
  if (!cell.isInt) return cell.text;
  if (c.stat == Stat::Key) {
    char buf[24];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(cell.value));
    return buf;
  }
  return std::to_string(cell.value);
}

// Appends the default-format columns `cols` of all rows to `lines`
// (lines[0] is the header): keys as wide as their widest cell (integer keys
// right-aligned, string keys left-aligned), statistics at least 8 wide and
// pct% at least 6, right-aligned, one space between columns.
void appendColumns(const std::vector<Column>& cols, const std::vector<Row>& rows,
                   uint32_t nInt, std::vector<std::string>& lines) {
  for (const Column& c : cols) {
    std::vector<std::string> cells{c.name};
    for (const Row& r : rows) cells.push_back(plainText(c, cellOf(c, r, nInt)));
    size_t width = c.stat == Stat::Key ? 0 : c.stat == Stat::Pct ? 6 : 8;
    for (const auto& s : cells) width = std::max(width, s.size());
    bool left = c.stat == Stat::Key && c.key >= nInt;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string pad(width - cells[i].size(), ' ');
      if (!lines[i].empty()) lines[i] += " ";
      lines[i] += left ? cells[i] + pad : pad + cells[i];
    }
  }
}

struct Piece {
  std::string literal;  // printed before the conversion
  bool hasConv = false;
  Column column;
  Conversion conv;
  bool noPad = false;
};

bool statNamed(std::string_view name, Stat& out) {
  static const std::pair<std::string_view, Stat> names[] = {
      {"avg", Stat::Avg}, {"count", Stat::Count}, {"min", Stat::Min}, {"max", Stat::Max},
      {"sum", Stat::Sum}, {"pct", Stat::Pct},     {"latest", Stat::Latest}};
  for (const auto& [n, s] : names) {
    if (n == name) { out = s; return true; }
  }
  return false;
}

// Parses a printa format; `explicitFields` tells whether `$` selectors are
// used. Returns "" or what is wrong.
std::string parsePrinta(std::string_view f, const std::vector<Column>& defaults,
                        uint32_t nKeys, std::vector<Piece>& out, bool& explicitFields,
                        size_t& consumed) {
  out.assign(1, Piece{});
  explicitFields = false;
  consumed = 0;
  for (size_t i = 0; i < f.size();) {
    char ch = f[i++];
    if (ch != '%') { out.back().literal.push_back(ch); continue; }
    size_t end = i;
    while (end < f.size() && std::strchr("-+ #0123456789.hl", f[end])) ++end;
    if (end < f.size() && f[end] == '%') {  // "%%", or "%5%": glibc prints '%'
      out.back().literal.push_back('%');
      i = end + 1;
      continue;
    }
    Piece& p = out.back();
    size_t dollar = f.find('$', i);
    size_t sel = i;
    while (sel < f.size() && (std::isalnum(static_cast<unsigned char>(f[sel])))) ++sel;
    if (dollar != std::string_view::npos && dollar == sel && sel > i) {
      std::string_view name = f.substr(i, sel - i);
      explicitFields = true;
      if (std::isdigit(static_cast<unsigned char>(name[0]))) {
        // The key number is the name's leading digits, saturated: a huge
        // number is simply no key.
        size_t k = 0;
        for (size_t d = 0; d < name.size() && std::isdigit(static_cast<unsigned char>(name[d])); ++d)
          k = std::min<size_t>(k * 10 + size_t(name[d] - '0'), size_t{1} << 32);
        if (k >= nKeys) return "no key " + std::string(name) + " in this aggregate";
        p.column = defaults[k];
      } else {
        Stat s;
        if (!statNamed(name, s)) return "unknown field '" + std::string(name) + "'";
        p.column = {s, 0, std::string(name)};
      }
      i = sel + 1;
    } else {
      if (consumed >= defaults.size()) return "more conversions than columns";
      p.column = defaults[consumed++];
    }
    if (i < f.size() && f[i] == '=') { p.noPad = true; ++i; }
    size_t start = i;
    while (i < f.size() && std::strchr("-+ #0123456789.hl*", f[i])) ++i;
    if (i >= f.size()) return "format ends inside a conversion";
    ++i;
    Format one;
    std::string err = parseFormat("%" + std::string(f.substr(start, i - start)), one);
    if (!err.empty()) return err;
    if (one.convs.empty()) return "a field needs a conversion such as d or s, not '%'";
    if (one.convs[0].starWidth || one.convs[0].starPrecision) {
      return "'*' fields are not supported in printa formats";
    }
    p.conv = one.convs[0];
    p.hasConv = true;
    out.emplace_back();
  }
  return "";
}

// Renders one piece's conversion with the cell's value: integers through
// the conversion, text through it as %s (pct, string keys).
std::string renderCell(const Piece& p, const Cell& cell) {
  Format one;
  one.literal = {"", ""};
  Conversion c = p.conv;
  uint64_t arg = cell.value;
  std::string text = cell.text;
  if (!cell.isInt || c.isString()) {
    if (cell.isInt) text = std::to_string(cell.value);
    std::string spec = c.spec;
    size_t conv = spec.find_last_of("diuxXocsp");
    if (conv != std::string::npos) spec = spec.substr(0, conv);
    while (!spec.empty() && (spec.back() == 'l' || spec.back() == 'h')) spec.pop_back();
    c.spec = spec + "s";
    c.conv = 's';
    arg = reinterpret_cast<uint64_t>(text.c_str());
  }
  one.convs = {c};
  std::string out;
  renderFormat(one, &arg, out);
  return out;
}

std::string headerCell(const Piece& p) {
  Piece h = p;
  return renderCell(h, Cell{false, 0, p.column.name});
}

}  // namespace

std::string checkPrintaFormat(std::string_view format, uint32_t nInt, uint32_t nStr) {
  std::vector<Piece> pieces;
  bool explicitFields = false;
  size_t consumed = 0;
  return parsePrinta(format, defaultColumns(nInt, nStr), nInt + nStr, pieces, explicitFields,
                     consumed);
}

RtResult printa(RtCtx* c, const Expr* e, const char* format) {
  VP_CHARGE(c, e, BuiltinId::Printa);
  ContextImpl& ctx = *c->owner;
  const AggrDef& def = ctx.script().program.aggrs[e->index];
  AggrSnapshot snap = ctx.script().snapshot(e->index);
  unsigned __int128 total = 0;
  for (const auto& [k, s] : snap) total += s.sum;
  std::vector<Row> rows;
  for (const auto& [k, s] : snap) {
    rows.push_back({&k, &s, total ? s.sum * 1000 / total : 0});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.share < b.share; });
  size_t all = rows.size();
  rows.resize(rowsAffordable(c, all));
  if (ctx.json() && (!format || checkPrintaFormat(format, def.intKeys, def.strKeys).empty())) {
    // The format only lays out text: the record has every field.
    AggregateRecord record = aggregateRecord(def.name, def.intKeys, def.strKeys, snap, rows.size());
    ctx.addRecord(aggregateJson(ctx.origin(ctx.target().tsc()), record));
    if (rows.size() < all) return fail(c, ErrorCode::Budget, e);
    return {1, 0};
  }
  std::vector<Column> cols = defaultColumns(def.intKeys, def.strKeys);
  std::vector<std::string> lines(rows.size() + 1);
  if (!format) {
    appendColumns(cols, rows, def.intKeys, lines);
  } else {
    std::vector<Piece> pieces;
    bool explicitFields = false;
    size_t consumed = 0;
    std::string err = parsePrinta(format, cols, def.intKeys + def.strKeys, pieces,
                                  explicitFields, consumed);
    if (!err.empty()) {
      ctx.detail = "printa: bad format " + quoted(format) + ": " + err;
      return fail(c, ErrorCode::Format, e);
    }
    bool header = true;
    for (const auto& p : pieces) header = header && !p.noPad;
    for (size_t r = 0; r <= rows.size(); ++r) {
      for (const auto& p : pieces) {
        lines[r] += p.literal;
        if (!p.hasConv) continue;
        lines[r] += r == 0 ? headerCell(p)
                           : renderCell(p, cellOf(p.column, rows[r - 1], def.intKeys));
      }
    }
    if (!explicitFields && consumed < cols.size()) {
      std::vector<Column> rest(cols.begin() + static_cast<long>(consumed), cols.end());
      appendColumns(rest, rows, def.intKeys, lines);
    }
    if (!header) lines.erase(lines.begin());
  }
  for (const auto& l : lines) ctx.out() += l + "\n";
  if (rows.size() < all) return fail(c, ErrorCode::Budget, e);
  return {1, 0};
}

}  // namespace vp::rt
