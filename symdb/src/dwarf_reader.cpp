// readImage: an ELF image's DWARF, every compilation unit, into a
// Database. libdw does the decoding; this walks what it decodes.
#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

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

bool fromElf(Elf* elf, const std::string& name, Database& db, std::string& error) {
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    error = name + ": error: not an ELF file";
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

// "guests/demo/demo.elf" is module "demo".
std::string moduleName(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  size_t dot = base.find('.');
  return dot == 0 || dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace
}  // namespace dwarf

bool readImage(const std::string& path, Database& db, std::string& error) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": error: cannot open the image";
    return false;
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  bool ok = dwarf::fromElf(elf, path, db, error);
  if (elf) elf_end(elf);
  close(fd);
  if (ok) db.image = dwarf::moduleName(path);
  return ok;
}

bool readImageMemory(const void* data, size_t size, const std::string& name, Database& db, std::string& error) {
  elf_version(EV_CURRENT);
  // libelf takes a writable buffer; the caller's stays untouched.
  std::vector<char> copy(static_cast<const char*>(data), static_cast<const char*>(data) + size);
  Elf* elf = elf_memory(copy.data(), copy.size());
  bool ok = dwarf::fromElf(elf, name, db, error);
  if (elf) elf_end(elf);
  if (ok) db.image = dwarf::moduleName(name);
  return ok;
}

}  // namespace symdb
