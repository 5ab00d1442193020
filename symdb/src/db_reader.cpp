// Reads the database text format back (docs/emmett.md, "Database
// format"). A database file is input like any other: every record is
// checked, and a bad one is "NAME:LINE: error: ..." rather than a crash or
// a type that points nowhere.
#include <charconv>

#include "symdb/src/containment.h"
#include "symdb/symdb.h"

namespace symdb {
namespace {

struct BadRecord {
  std::string what;
};

// One record: space-separated fields, the last of which (a name) may hold
// spaces ("long unsigned int").
class Fields {
 public:
  explicit Fields(std::string_view line) : rest_(line) {}
  std::string_view word() {
    size_t sp = rest_.find(' ');
    std::string_view w = rest_.substr(0, sp);
    rest_ = sp == std::string_view::npos ? std::string_view{} : rest_.substr(sp + 1);
    if (w.empty()) throw BadRecord{"a field is missing"};
    return w;
  }
  uint64_t number() { return parse(word()); }
  int64_t signedNumber() {
    std::string_view w = word();
    bool neg = w.starts_with('-');
    uint64_t v = parse(neg ? w.substr(1) : w);
    return neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  }
  uint32_t small() {
    uint64_t v = number();
    if (v > UINT32_MAX) throw BadRecord{"number out of range"};
    return static_cast<uint32_t>(v);
  }
  std::string name() {  // the rest of the line, possibly empty
    std::string s(rest_);
    rest_ = {};
    return s;
  }
  void end() {
    if (!rest_.empty()) throw BadRecord{"unexpected field '" + std::string(rest_) + "'"};
  }

 private:
  static uint64_t parse(std::string_view w) {
    int base = 10;
    if (w.starts_with("0x")) w.remove_prefix(2), base = 16;
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v, base);
    if (ec != std::errc{} || p != w.data() + w.size() || w.empty())
      throw BadRecord{"'" + std::string(w) + "' is not a number"};
    return v;
  }
  std::string_view rest_;
};

class Reader {
 public:
  explicit Reader(Database& db) : db_(db) {}
  void record(std::string_view kind, Fields& f);
  void finish();

 private:
  void type(Fields& f);
  Location location(Fields& f);
  Type& current(TypeKind a, TypeKind b, const char* what);
  Function& function(const char* what);
  Database& db_;
  bool sawImage_ = false;
};

Type& Reader::current(TypeKind a, TypeKind b, const char* what) {
  if (db_.types.size() < 2 || (db_.types.back().kind != a && db_.types.back().kind != b))
    throw BadRecord{std::string(what) + " outside a type that has them"};
  return db_.types.back();
}

Function& Reader::function(const char* what) {
  if (db_.functions.empty()) throw BadRecord{std::string(what) + " before any func"};
  return db_.functions.back();
}

void Reader::type(Fields& f) {
  if (f.number() != db_.types.size()) throw BadRecord{"type ids must count up from 1"};
  std::string_view kind = f.word();
  Type t;
  auto sizeOrDecl = [&] {
    std::string_view w = f.word();
    if (w == "-") t.complete = false;
    else t.size = Fields(w).number();
  };
  auto sign = [&] {
    std::string_view s = f.word();
    if (s != "s" && s != "u") throw BadRecord{"signedness must be s or u"};
    t.isSigned = s == "s";
  };
  if (kind == "void") t.kind = TypeKind::Void, f.end();
  else if (kind == "base") t.kind = TypeKind::Base, t.size = f.number(), sign(), t.name = f.name();
  else if (kind == "pointer") t.kind = TypeKind::Pointer, t.size = f.number(), t.target = f.small(), f.end();
  else if (kind == "array") t.kind = TypeKind::Array, t.size = f.number(), t.target = f.small(), f.end();
  else if (kind == "typedef") t.kind = TypeKind::Typedef, t.target = f.small(), t.name = f.name();
  else if (kind == "function") t.kind = TypeKind::Function, f.end();
  else if (kind == "enum") t.kind = TypeKind::Enum, sizeOrDecl(), sign(), t.name = f.name();
  else if (kind == "struct" || kind == "union")
    t.kind = kind == "struct" ? TypeKind::Struct : TypeKind::Union, sizeOrDecl(), t.name = f.name();
  else throw BadRecord{"unknown type kind '" + std::string(kind) + "'"};
  db_.types.push_back(std::move(t));
}

Location Reader::location(Fields& f) {
  Location l;
  l.low = f.number();
  l.high = f.number();
  std::string_view k = f.word();
  using K = Location::Kind;
  if (k == "reg") l.kind = K::Register, l.reg = f.small();
  else if (k == "breg") l.kind = K::RegOffset, l.reg = f.small(), l.offset = f.signedNumber();
  else if (k == "fbreg") l.kind = K::FrameOffset, l.offset = f.signedNumber();
  else if (k == "cfa") l.kind = K::FrameBase;
  else if (k == "const") l.kind = K::Constant, l.value = f.number();
  else if (k == "addr") l.kind = K::Address, l.value = f.number();
  else if (k == "expr") l.kind = K::Expression, l.expr = f.name();
  else throw BadRecord{"unknown location kind '" + std::string(k) + "'"};
  f.end();
  return l;
}

void Reader::record(std::string_view kind, Fields& f) {
  if (kind == "image") {
    db_.image = f.name();
    sawImage_ = true;
  } else if (kind == "from") {
    std::string from = f.name();
    if (from != "btf" && from != "dwarf") throw BadRecord{"'from' is btf or dwarf, not '" + from + "'"};
    db_.fromBtf = from == "btf";
  } else if (kind == "file") {
    if (f.number() != db_.files.size()) throw BadRecord{"file numbers must count up from 1"};
    db_.files.push_back(f.name());
  } else if (kind == "type") {
    type(f);
  } else if (kind == "member") {
    Member m;
    m.type = f.small(), m.bitOffset = f.number(), m.bitSize = f.small(), m.name = f.name();
    current(TypeKind::Struct, TypeKind::Union, "member").members.push_back(std::move(m));
  } else if (kind == "enumerator") {
    Enumerator e;
    e.value = f.number(), e.name = f.name();
    current(TypeKind::Enum, TypeKind::Enum, "enumerator").enumerators.push_back(std::move(e));
  } else if (kind == "func") {
    Function fn;
    fn.entry = f.number(), fn.file = f.small(), fn.line = f.small(), fn.name = f.name();
    db_.functions.push_back(std::move(fn));
  } else if (kind == "range") {
    Range r;
    r.low = f.number(), r.high = f.number();
    f.end();
    function("range").ranges.push_back(r);
  } else if (kind == "framebase") {
    Location l = location(f);
    function("framebase").frameBase.push_back(std::move(l));
  } else if (kind == "cfa") {
    Location l = location(f);
    function("cfa").cfa.push_back(std::move(l));
  } else if (kind == "param" || kind == "local") {
    Variable v;
    v.isParam = kind == "param", v.type = f.small(), v.name = f.name();
    function(v.isParam ? "param" : "local").vars.push_back(std::move(v));
  } else if (kind == "loc") {
    Location l = location(f);
    Function& fn = function("loc");
    if (fn.vars.empty()) throw BadRecord{"loc before any param or local"};
    fn.vars.back().locations.push_back(std::move(l));
  } else if (kind == "inline") {
    Inlined in;
    in.depth = f.small(), in.entry = f.number(), in.name = f.name();
    if (in.depth == 0) throw BadRecord{"an inline's depth counts from 1"};
    function("inline").inlined.push_back(std::move(in));
  } else if (kind == "irange") {
    Range r;
    r.low = f.number(), r.high = f.number();
    f.end();
    Function& fn = function("irange");
    if (fn.inlined.empty()) throw BadRecord{"irange before any inline"};
    fn.inlined.back().ranges.push_back(r);
  } else if (kind == "line") {
    Line l;
    l.addr = f.number(), l.file = f.small(), l.line = f.small();
    std::string flag = f.name();
    if (flag != "" && flag != "nostmt") throw BadRecord{"unexpected field '" + flag + "'"};
    l.isStmt = flag.empty();
    db_.lines.push_back(l);
  } else {
    throw BadRecord{"unknown record '" + std::string(kind) + "'"};
  }
}

// References may point forward (a struct's pointer to a later struct); they
// are checked once everything is read.
void Reader::finish() {
  if (!sawImage_) throw BadRecord{"no image record"};
  size_t n = db_.types.size(), files = db_.files.size();
  auto ref = [&](TypeId id) {
    if (id >= n) throw BadRecord{"type " + std::to_string(id) + " is referenced but not defined"};
  };
  for (const auto& t : db_.types) {
    ref(t.target);
    for (const auto& m : t.members) ref(m.type);
  }
  for (const auto& fn : db_.functions) {
    if (fn.file >= files) throw BadRecord{"func " + fn.name + " names file " + std::to_string(fn.file) + ", which is not defined"};
    for (const auto& v : fn.vars) ref(v.type);
  }
  for (const auto& l : db_.lines)
    if (l.file >= files) throw BadRecord{"a line names file " + std::to_string(l.file) + ", which is not defined"};
  for (size_t i = 1; i < db_.lines.size(); ++i)
    if (db_.lines[i].addr < db_.lines[i - 1].addr) throw BadRecord{"line records are not sorted by address"};
  std::string bad = selfContainingType(db_);
  if (!bad.empty()) throw BadRecord{bad};
}

}  // namespace

bool readDatabase(std::string_view text, const std::string& name, Database& db, std::string& error,
                  size_t* errorLine) {
  db = Database();
  Reader r(db);
  size_t lineNo = 0, pos = 0;
  try {
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      ++lineNo;
      if (lineNo == 1) {
        if (line != "symdb 1") throw BadRecord{"not a symbol database (the first line is not 'symdb 1')"};
        continue;
      }
      Fields f(line);
      std::string_view kind = f.word();
      r.record(kind, f);
    }
    if (lineNo == 0) {
      lineNo = 1;
      throw BadRecord{"not a symbol database (the file is empty)"};
    }
    // What is wrong with the whole (a dangling reference) is reported at
    // the last line.
    r.finish();
  } catch (const BadRecord& e) {
    error = name + ":" + std::to_string(lineNo) + ": error: " + e.what;
    if (errorLine) *errorLine = lineNo;
    db = Database();
    return false;
  }
  db.index();
  return true;
}

}  // namespace symdb
