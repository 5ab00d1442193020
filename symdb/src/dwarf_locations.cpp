// DWARF location expressions and lists into database locations: the forms
// GCC and Clang emit for parameters and locals at -O2 get their own kind;
// anything else is kept as the expression's operations, so that a later
// reader can evaluate what this one does not.
#include <dwarf.h>

#include <cstdio>

#include "symdb/src/dwarf_context.h"

namespace symdb::dwarf {
namespace {

bool single(const Dwarf_Op* ops, size_t n, Location& l) {
  if (n != 1) return false;
  unsigned op = ops[0].atom;
  using K = Location::Kind;
  if (op >= DW_OP_reg0 && op <= DW_OP_reg31) l.kind = K::Register, l.reg = op - DW_OP_reg0;
  else if (op == DW_OP_regx) l.kind = K::Register, l.reg = static_cast<uint32_t>(ops[0].number);
  else if (op >= DW_OP_breg0 && op <= DW_OP_breg31)
    l.kind = K::RegOffset, l.reg = op - DW_OP_breg0, l.offset = static_cast<int64_t>(ops[0].number);
  else if (op == DW_OP_bregx)
    l.kind = K::RegOffset, l.reg = static_cast<uint32_t>(ops[0].number), l.offset = static_cast<int64_t>(ops[0].number2);
  else if (op == DW_OP_fbreg) l.kind = K::FrameOffset, l.offset = static_cast<int64_t>(ops[0].number);
  else if (op == DW_OP_addr) l.kind = K::Address, l.value = ops[0].number;
  else if (op == DW_OP_call_frame_cfa) l.kind = K::FrameBase;
  else return false;
  return true;
}

// `DW_OP_lit5 DW_OP_stack_value`, `DW_OP_const1u 200 DW_OP_stack_value`.
bool constant(const Dwarf_Op* ops, size_t n, Location& l) {
  if (n != 2 || ops[1].atom != DW_OP_stack_value) return false;
  unsigned op = ops[0].atom;
  if (op >= DW_OP_lit0 && op <= DW_OP_lit31) l.value = op - DW_OP_lit0;
  else if ((op >= DW_OP_const1u && op <= DW_OP_consts) || op == DW_OP_constu) l.value = ops[0].number;
  else return false;
  l.kind = Location::Kind::Constant;
  return true;
}

// Operations whose operand is a block libdw points to (number2, at the
// block's length: a ULEB128, or for const_type one byte): the block's bytes
// are written out, never the pointer.
std::string blockText(const Dwarf_Op& op) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(op.number2));
  if (!bytes) return "[]";
  size_t n = op.number;
  if (op.atom == DW_OP_const_type || op.atom == DW_OP_GNU_const_type) {
    n = bytes[0];
    ++bytes;
  } else {
    while (*bytes & 0x80) ++bytes;  // libdw checked the length fits the expression
    ++bytes;
  }
  std::string s = "[";
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    snprintf(buf, sizeof buf, "%02x", bytes[i]);
    s += buf;
  }
  return s + "]";
}

bool hasBlock(unsigned atom) {
  return atom == DW_OP_implicit_value || atom == DW_OP_entry_value || atom == DW_OP_GNU_entry_value ||
         atom == DW_OP_const_type || atom == DW_OP_GNU_const_type;
}

std::string opsText(const Dwarf_Op* ops, size_t n) {
  std::string s;
  char buf[64];
  for (size_t i = 0; i < n; ++i) {
    if (hasBlock(ops[i].atom)) {
      snprintf(buf, sizeof buf, "%s0x%x:0x%llx:", i ? " " : "", ops[i].atom,
               static_cast<unsigned long long>(ops[i].number));
      s += buf + blockText(ops[i]);
      continue;
    }
    snprintf(buf, sizeof buf, "%s0x%x:0x%llx:0x%llx", i ? " " : "", ops[i].atom,
             static_cast<unsigned long long>(ops[i].number), static_cast<unsigned long long>(ops[i].number2));
    s += buf;
  }
  return s;
}

}  // namespace

Location decodeLocation(const Dwarf_Op* ops, size_t n, uint64_t low, uint64_t high) {
  Location l;
  l.low = low;
  l.high = high;
  if (!single(ops, n, l) && !constant(ops, n, l)) {
    l.kind = Location::Kind::Expression;
    l.expr = opsText(ops, n);
  }
  return l;
}

std::vector<Location> locationsOf(Dwarf_Attribute* attr, const std::vector<Range>& scope) {
  std::vector<Location> out;
  Dwarf_Addr base = 0, start = 0, end = 0;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  ptrdiff_t off = 0;
  while ((off = dwarf_getlocations(attr, off, &base, &start, &end, &ops, &n)) > 0) {
    if (start == 0 && end == static_cast<Dwarf_Addr>(-1)) {
      // One expression, valid wherever its scope (function, block) runs.
      if (scope.empty()) out.push_back(decodeLocation(ops, n, 0, 0));
      for (const Range& r : scope) out.push_back(decodeLocation(ops, n, r.low, r.high));
    } else if (start < end) {
      out.push_back(decodeLocation(ops, n, start, end));
    }
  }
  return out;
}

}  // namespace symdb::dwarf
