// Writes the database text format (docs/emmett.md, "Database format").
#include "symdb/symdb.h"

namespace symdb {
namespace {

// Names come from the image: a newline in one must not start a record.
std::string clean(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

std::string hex(uint64_t v) {
  char buf[20];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// " NAME", or nothing for an empty name.
std::string named(const std::string& s) { return s.empty() ? "" : " " + clean(s); }

void writeType(const Type& t, TypeId id, std::ostream& out) {
  out << "type " << id << ' ';
  const char* sign = t.isSigned ? "s" : "u";
  std::string size = t.complete ? std::to_string(t.size) : "-";
  switch (t.kind) {
    case TypeKind::Void: out << "void\n"; return;
    case TypeKind::Base: out << "base " << t.size << ' ' << sign << named(t.name) << '\n'; return;
    case TypeKind::Pointer: out << "pointer " << t.size << ' ' << t.target << '\n'; return;
    case TypeKind::Array: out << "array " << t.size << ' ' << t.target << '\n'; return;
    case TypeKind::Typedef: out << "typedef " << t.target << named(t.name) << '\n'; return;
    case TypeKind::Function: out << "function\n"; return;
    case TypeKind::Enum:
      out << "enum " << size << ' ' << sign << named(t.name) << '\n';
      for (const auto& e : t.enumerators) out << "enumerator " << hex(e.value) << named(e.name) << '\n';
      return;
    case TypeKind::Struct:
    case TypeKind::Union:
      out << (t.kind == TypeKind::Struct ? "struct " : "union ") << size << named(t.name) << '\n';
      for (const auto& m : t.members)
        out << "member " << m.type << ' ' << m.bitOffset << ' ' << m.bitSize << named(m.name) << '\n';
      return;
  }
}

void writeLocation(const char* what, const Location& l, std::ostream& out) {
  out << what << ' ' << hex(l.low) << ' ' << hex(l.high) << ' ';
  using K = Location::Kind;
  switch (l.kind) {
    case K::Register: out << "reg " << l.reg; break;
    case K::RegOffset: out << "breg " << l.reg << ' ' << l.offset; break;
    case K::FrameOffset: out << "fbreg " << l.offset; break;
    case K::FrameBase: out << "cfa"; break;
    case K::Constant: out << "const " << hex(l.value); break;
    case K::Address: out << "addr " << hex(l.value); break;
    case K::Expression: out << "expr " << clean(l.expr); break;
  }
  out << '\n';
}

void writeFunction(const Function& f, std::ostream& out) {
  out << "func " << hex(f.entry) << ' ' << f.file << ' ' << f.line << named(f.name) << '\n';
  for (const auto& r : f.ranges) out << "range " << hex(r.low) << ' ' << hex(r.high) << '\n';
  for (const auto& l : f.frameBase) writeLocation("framebase", l, out);
  for (const auto& l : f.cfa) writeLocation("cfa", l, out);
  for (const auto& v : f.vars) {
    out << (v.isParam ? "param " : "local ") << v.type << named(v.name) << '\n';
    for (const auto& l : v.locations) writeLocation("loc", l, out);
  }
  for (const auto& in : f.inlined) {
    out << "inline " << in.depth << ' ' << hex(in.entry) << named(in.name) << '\n';
    for (const auto& r : in.ranges) out << "irange " << hex(r.low) << ' ' << hex(r.high) << '\n';
  }
}

}  // namespace

void writeDatabase(const Database& db, std::ostream& out) {
  out << "symdb 1\nimage" << named(db.image) << '\n';
  if (db.fromBtf) out << "from btf\n";
  for (size_t i = 1; i < db.files.size(); ++i) out << "file " << i << named(db.files[i]) << '\n';
  for (TypeId id = 1; id < db.types.size(); ++id) writeType(db.types[id], id, out);
  for (const auto& f : db.functions) writeFunction(f, out);
  for (const auto& l : db.lines)
    out << "line " << hex(l.addr) << ' ' << l.file << ' ' << l.line << (l.isStmt ? "" : " nostmt") << '\n';
}

}  // namespace symdb
