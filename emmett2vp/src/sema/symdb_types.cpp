#include "emmett2vp/src/sema/symdb_types.h"

#include <algorithm>

namespace emmett {
namespace {

// Chains of pointers and arrays deeper than this are not worth following
// (and a hostile database must not exhaust the stack).
constexpr int kMaxDepth = 64;

bool isRecord(const symdb::Type& t) { return t.kind == symdb::TypeKind::Struct || t.kind == symdb::TypeKind::Union; }

// Typedefs are transparent: Emmett's types carry no typedef names.
symdb::TypeId throughTypedefs(const symdb::Database& db, symdb::TypeId id) {
  // The database reader refused typedef cycles, so this ends.
  while (db.types[id].kind == symdb::TypeKind::Typedef) id = db.types[id].target;
  return id;
}

}  // namespace

const Type* SymdbTypes::convert(symdb::TypeId id) {
  const Type* t = type(id, 0);
  // Records reached through pointers are laid out here, from a work list
  // rather than by recursion: a guest's types form long chains.
  while (!pending_.empty()) {
    auto [r, rid] = pending_.front();
    pending_.pop_front();
    if (!r->complete) layout(*r, db_.types[rid], 0);
  }
  return t;
}

const Type* SymdbTypes::type(symdb::TypeId id, int depth) {
  if (depth > kMaxDepth) return table_.error();
  id = throughTypedefs(db_, id);
  auto memo = memo_.find({&db_, id});
  if (memo != memo_.end()) return memo->second;
  const symdb::Type& t = db_.types[id];
  const Type* out = table_.error();
  switch (t.kind) {
    case symdb::TypeKind::Void:
    case symdb::TypeKind::Function:
    case symdb::TypeKind::Typedef: out = table_.voidType(); break;
    case symdb::TypeKind::Base: out = base(t.size, t.isSigned); break;
    case symdb::TypeKind::Enum: out = base(t.size ? t.size : 4, t.isSigned); break;
    case symdb::TypeKind::Pointer: {
      symdb::TypeId to = throughTypedefs(db_, t.target);
      const Type* elem = isRecord(db_.types[to]) ? record(to, depth, false) : type(to, depth + 1);
      out = table_.pointerTo(elem->isError() ? table_.voidType() : elem);
      break;
    }
    case symdb::TypeKind::Array: {
      const Type* elem = type(t.target, depth + 1);
      if (!elem->isError() && !elem->isVoid()) out = table_.arrayOf(elem, t.size);
      break;
    }
    case symdb::TypeKind::Struct:
    case symdb::TypeKind::Union: out = record(id, depth, true); break;
  }
  if (!out->isError()) memo_[{&db_, id}] = out;
  return out;
}

// Integers by size; other sizes (floating point) are byte arrays, which a
// script can still address and skip over.
const Type* SymdbTypes::base(uint64_t size, bool isSigned) {
  const char* name = nullptr;
  switch (size) {
    case 1: name = isSigned ? "char" : "unsigned char"; break;
    case 2: name = isSigned ? "short" : "unsigned short"; break;
    case 4: name = isSigned ? "int" : "unsigned int"; break;
    case 8: name = isSigned ? "long long" : "unsigned long long"; break;
    default: return size ? table_.arrayOf(table_.builtin("unsigned char"), size) : table_.voidType();
  }
  return table_.builtin(name);
}

// `now`: laid out before returning (a member or a variable of the type);
// otherwise (behind a pointer) queued.
const Type* SymdbTypes::record(symdb::TypeId id, int depth, bool now) {
  const symdb::Type* t = &db_.types[id];
  bool isUnion = t->kind == symdb::TypeKind::Union;
  if (!t->complete && !t->name.empty()) {
    // A unit that only declares the struct: another defines it.
    if (const symdb::Type* def = isUnion ? db_.findUnion(t->name) : db_.findStruct(t->name)) t = def, id = db_.idOf(def);
  }
  auto memo = memo_.find({&db_, id});
  if (memo != memo_.end() && !now) return memo->second;
  Record* r = memo != memo_.end() ? memo->second->record
              : t->name.empty()   ? table_.anonymousRecord(isUnion, {})
                                  : table_.record("$" + module_ + "." + t->name, isUnion, {});
  const Type* rt = table_.recordType(r);
  memo_[{&db_, id}] = rt;
  if (r->complete || !t->complete) return rt;
  if (now) layout(*r, *t, depth + 1);
  else pending_.emplace_back(r, id);
  return rt;
}

void SymdbTypes::layout(Record& r, const symdb::Type& t, int depth) {
  // A record already being laid out (two units' types of one tag that
  // contain each other) stays as far as it got.
  if (depth > kMaxDepth || r.complete || !inProgress_.insert(&r).second) return;
  for (const auto& m : t.members) addMember(r, m, depth);
  r.size = t.size;
  r.align = 1;
  for (const auto& f : r.fields) r.align = std::max(r.align, typeAlign(f.type));
  r.complete = true;
  inProgress_.erase(&r);
}

void SymdbTypes::addMember(Record& r, const symdb::Member& m, int depth) {
  uint64_t byte = m.bitOffset / 8;
  if (m.name.empty()) {
    // `union { uint32_t raw; struct { uint16_t lo, hi; }; };`: the inner
    // fields are the outer record's, at the member's offset.
    const Type* inner = type(m.type, depth + 1);
    if (inner->kind != Type::Kind::Record || !inner->record->complete) return;
    for (Field f : inner->record->fields) {
      if (r.find(f.name)) continue;
      f.offset += byte;
      r.fields.push_back(std::move(f));
    }
    return;
  }
  const Type* ft = type(m.type, depth + 1);
  if (ft->isError() || ft->isVoid() || r.find(m.name)) return;
  Field f;
  f.name = m.name;
  f.type = ft;
  f.offset = byte;
  if (m.bitSize) {
    f.bitSize = m.bitSize;
    f.bitShift = static_cast<uint8_t>(m.bitOffset % 8);
  }
  r.fields.push_back(std::move(f));
}

}  // namespace emmett
