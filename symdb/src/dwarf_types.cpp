// DWARF types into database types. Qualifiers (const, volatile, restrict,
// _Atomic) are dropped: scripts read guest memory and never write it.
#include <dwarf.h>

#include "symdb/src/dwarf_context.h"

namespace symdb::dwarf {
namespace {

bool isQualifier(int tag) {
  return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
         tag == DW_TAG_atomic_type || tag == DW_TAG_immutable_type;
}

bool flag(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute a;
  bool v = false;
  return dwarf_attr_integrate(die, name, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

// DW_AT_data_member_location: a constant, or (DWARF 2) an expression
// `DW_OP_plus_uconst N`.
uint64_t memberByteOffset(Dwarf_Die* die) {
  Dwarf_Attribute a;
  if (!dwarf_attr(die, DW_AT_data_member_location, &a)) return 0;
  Dwarf_Word v = 0;
  if (dwarf_formudata(&a, &v) == 0) return v;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
      (ops[0].atom == DW_OP_plus_uconst || ops[0].atom == DW_OP_constu))
    return ops[0].number;
  return 0;
}

Member readMember(Context& cx, Dwarf_Die* die, bool inUnion) {
  Member m;
  m.name = nameOf(die);
  m.type = cx.typeOf(die);
  m.bitSize = static_cast<uint32_t>(udata(die, DW_AT_bit_size));
  Dwarf_Attribute a;
  uint64_t byte = inUnion ? 0 : memberByteOffset(die);
  if (dwarf_attr(die, DW_AT_data_bit_offset, &a)) {
    m.bitOffset = udata(die, DW_AT_data_bit_offset);
  } else if (m.bitSize && dwarf_attr(die, DW_AT_bit_offset, &a)) {
    // DWARF 2/3: bits from the most significant end of a storage unit of
    // DW_AT_byte_size bytes at the member location (little-endian guest).
    uint64_t unit = udata(die, DW_AT_byte_size, 4) * 8;
    m.bitOffset = byte * 8 + unit - udata(die, DW_AT_bit_offset) - m.bitSize;
  } else {
    m.bitOffset = byte * 8;
  }
  return m;
}

}  // namespace

TypeId Context::typeOf(Dwarf_Die* die) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return 0;
  return idFor(&t);
}

TypeId Context::idFor(Dwarf_Die* typeDie) {
  Dwarf_Die die = *typeDie;
  std::vector<Dwarf_Off> seen;
  // Follow qualifiers (bounded: a hostile image may chain them in a loop).
  while (isQualifier(dwarf_tag(&die)) && seen.size() < 64) {
    auto hit = types_.find(dwarf_dieoffset(&die));
    if (hit != types_.end()) return hit->second;
    seen.push_back(dwarf_dieoffset(&die));
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (!dwarf_attr(&die, DW_AT_type, &a) || !dwarf_formref_die(&a, &next)) {
      for (Dwarf_Off o : seen) types_[o] = 0;
      return 0;
    }
    die = next;
  }
  TypeId id;
  auto hit = types_.find(dwarf_dieoffset(&die));
  if (hit != types_.end()) {
    id = hit->second;
  } else {
    id = static_cast<TypeId>(db_.types.size());
    db_.types.emplace_back();
    types_[dwarf_dieoffset(&die)] = id;
    pending_.emplace_back(id, die);
  }
  for (Dwarf_Off o : seen) types_[o] = id;
  return id;
}

void Context::drain() {
  while (!pending_.empty()) {
    auto [id, die] = pending_.front();
    pending_.pop_front();
    readType(id, &die);
  }
}

void Context::readType(TypeId id, Dwarf_Die* die) {
  Type t;
  t.name = nameOf(die);
  t.size = udata(die, DW_AT_byte_size);
  int tag = dwarf_tag(die);
  switch (tag) {
    case DW_TAG_base_type: {
      uint64_t enc = udata(die, DW_AT_encoding);
      t.kind = TypeKind::Base;
      t.isSigned = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
      break;
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type: {
      t.kind = TypeKind::Pointer;
      if (!t.size) {
        uint8_t addrSize = 8, offSize = 8;
        Dwarf_Die cu;
        if (dwarf_diecu(die, &cu, &addrSize, &offSize)) t.size = addrSize;
      }
      t.target = typeOf(die);
      break;
    }
    case DW_TAG_typedef:
      t.kind = TypeKind::Typedef;
      t.target = typeOf(die);
      break;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
      t.kind = tag == DW_TAG_union_type ? TypeKind::Union : TypeKind::Struct;
      readRecord(t, die);
      break;
    case DW_TAG_enumeration_type:
      t.kind = TypeKind::Enum;
      readEnum(t, die);
      break;
    case DW_TAG_array_type:
      readArray(id, die);
      return;
    case DW_TAG_subroutine_type:
      t.kind = TypeKind::Function;
      t.name.clear();
      break;
    default:  // unspecified types (C++ nullptr_t) and anything unknown
      t.kind = TypeKind::Void;
      t.name.clear();
      break;
  }
  db_.types[id] = std::move(t);
}

void Context::readRecord(Type& t, Dwarf_Die* die) {
  t.complete = !flag(die, DW_AT_declaration);
  bool isUnion = t.kind == TypeKind::Union;
  Dwarf_Die child;
  if (dwarf_child(die, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    // A base class is an anonymous member at its offset.
    if (tag == DW_TAG_member || tag == DW_TAG_inheritance) {
      Member m = readMember(*this, &child, isUnion);
      if (tag == DW_TAG_inheritance) m.name.clear();
      t.members.push_back(std::move(m));
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

void Context::readEnum(Type& t, Dwarf_Die* die) {
  t.complete = !flag(die, DW_AT_declaration);
  Dwarf_Die under;
  Dwarf_Attribute a;
  if (dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, &under)) {
    uint64_t enc = udata(&under, DW_AT_encoding);
    t.isSigned = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
  }
  Dwarf_Die child;
  if (dwarf_child(die, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
    Enumerator e;
    e.name = nameOf(&child);
    Dwarf_Attribute v;
    if (dwarf_attr(&child, DW_AT_const_value, &v)) {
      Dwarf_Sword s = 0;
      Dwarf_Word u = 0;
      // DW_FORM_dataN is signed or not as the enum is; sdata says itself.
      if (dwarf_whatform(&v) == DW_FORM_sdata || t.isSigned) {
        if (dwarf_formsdata(&v, &s) == 0) e.value = static_cast<uint64_t>(s);
      } else if (dwarf_formudata(&v, &u) == 0) {
        e.value = u;
      }
      if (dwarf_whatform(&v) == DW_FORM_sdata && s < 0) t.isSigned = true;
    }
    t.enumerators.push_back(std::move(e));
  } while (dwarf_siblingof(&child, &child) == 0);
}

// `T a[2][3]` is one DIE with two subranges: an array of 2 arrays of 3.
void Context::readArray(TypeId id, Dwarf_Die* die) {
  std::vector<uint64_t> counts;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
      Dwarf_Attribute a;
      uint64_t n = 0;  // unknown (a flexible array member)
      if (dwarf_attr(&child, DW_AT_count, &a)) n = udata(&child, DW_AT_count);
      else if (dwarf_attr(&child, DW_AT_upper_bound, &a) && dwarf_whatform(&a) != DW_FORM_exprloc)
        n = udata(&child, DW_AT_upper_bound) - udata(&child, DW_AT_lower_bound) + 1;
      counts.push_back(n);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (counts.empty()) counts.push_back(0);
  TypeId elem = typeOf(die);
  for (size_t i = counts.size(); i-- > 1;) {
    Type inner;
    inner.kind = TypeKind::Array;
    inner.size = counts[i];
    inner.target = elem;
    elem = static_cast<TypeId>(db_.types.size());
    db_.types.push_back(std::move(inner));
  }
  Type& t = db_.types[id];
  t.kind = TypeKind::Array;
  t.size = counts[0];
  t.target = elem;
}

}  // namespace symdb::dwarf
