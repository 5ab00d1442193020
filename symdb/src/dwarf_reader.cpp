// An ELF image's DWARF, every compilation unit, into a Database. libdw
// does the decoding; this walks what it decodes.
#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <vector>

#include "symdb/src/btf_reader.h"
#include "symdb/src/containment.h"
#include "symdb/src/dwarf_context.h"

namespace symdb {
namespace dwarf {

uint32_t Context::file(const char* path) {
  auto [it, added] = files_.emplace(path, static_cast<uint32_t>(db_.files.size()));
  if (added) db_.files.push_back(path);
  return it->second;
}

std::string nameOf(Dwarf_Die* die) {
  Dwarf_Attribute a;
  const char* s = dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a) : nullptr;
  return s ? s : "";
}

uint64_t udata(Dwarf_Die* die, unsigned name, uint64_t dflt) {
  Dwarf_Attribute a;
  Dwarf_Word v = 0;
  if (!dwarf_attr_integrate(die, name, &a) || dwarf_formudata(&a, &v) != 0) return dflt;
  return v;
}

namespace {

bool isTypeTag(int tag) {
  switch (tag) {
    case DW_TAG_base_type: case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
    case DW_TAG_enumeration_type: case DW_TAG_typedef: case DW_TAG_pointer_type: case DW_TAG_array_type:
      return true;
    default:
      return false;
  }
}

// Every type named at the top of the unit, so that `$image.T` finds a
// type no function uses.
void readTopTypes(Context& cx, Dwarf_Die* cu) {
  Dwarf_Die child;
  if (dwarf_child(cu, &child) != 0) return;
  do {
    if (isTypeTag(dwarf_tag(&child))) cx.idFor(&child);
  } while (dwarf_siblingof(&child, &child) == 0);
}

bool readUnits(Dwarf* dw, Database& db) {
  Context cx(db);
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  Dwarf_Half version = 0;
  uint8_t unitType = 0;
  Dwarf_Die cudie, subdie;
  bool any = false;
  while (dwarf_get_units(dw, cu, &next, &version, &unitType, &cudie, &subdie) == 0) {
    cu = next;
    if (unitType != DW_UT_compile && unitType != DW_UT_partial) continue;
    any = true;
    readLines(cx, &cudie);
    readTopTypes(cx, &cudie);
    readFunctions(cx, &cudie);
    cx.drain();
  }
  return any;
}

// By address; a row repeating the one before it (the line table's views
// of one statement) is dropped, a statement start if either was one.
void sortLines(std::vector<Line>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.addr < b.addr; });
  std::vector<Line> kept;
  for (const Line& l : lines) {
    if (!kept.empty() && kept.back().addr == l.addr && kept.back().file == l.file && kept.back().line == l.line)
      kept.back().isStmt = kept.back().isStmt || l.isStmt;
    else
      kept.push_back(l);
  }
  lines = std::move(kept);
}

}  // namespace

bool fromElf(Elf* elf, const std::string& name, Database& db, std::string& error) {
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    error = name + ": error: neither an ELF image nor BTF";
    return false;
  }
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf, &ehdr)) {
    error = name + ": error: a malformed ELF header";
    return false;
  }
  // libdw does not apply a relocatable object's relocations to its DWARF:
  // every name and address would be wrong.
  if (ehdr.e_type == ET_REL) {
    error = name + ": error: a relocatable object (.o, .ko); link it first";
    return false;
  }
  Dwarf* dw = dwarf_begin_elf(elf, DWARF_C_READ, nullptr);
  // A kernel built without DWARF may still carry its types as BTF.
  std::string_view btfSection = dw ? std::string_view{} : btf::section(elf);
  if (!btfSection.empty()) return btf::read(btfSection.data(), btfSection.size(), name, db, error);
  if (!dw) {
    error = name + ": error: no DWARF debug information (" + dwarf_errmsg(-1) + "; build the image with -g)";
    return false;
  }
  db = Database();
  bool any = readUnits(dw, db);
  if (any) readFrames(dw, elf, db);
  dwarf_end(dw);
  if (!any) {
    error = name + ": error: no DWARF compilation units (build the image with -g)";
    return false;
  }
  sortLines(db.lines);
  std::string bad = selfContainingType(db);
  if (!bad.empty()) {
    error = name + ": error: " + bad;
    return false;
  }
  db.index();
  return true;
}

}  // namespace dwarf
}  // namespace symdb
