// What the DWARF readers share while one image is read: the database being
// filled, the file-name numbering and the type ids given to DIEs.
#pragma once

#include <elfutils/libdw.h>

#include <deque>
#include <string>
#include <unordered_map>

#include "symdb/symdb.h"

namespace symdb::dwarf {

class Context {
 public:
  explicit Context(Database& db) : db_(db) {}
  Database& db() { return db_; }
  // The database's number for a source file name (added on first use).
  uint32_t file(const char* path);
  // The id of the type a DIE's DW_AT_type names (0, void, without one).
  // Types are read from a work list (drain), never recursively, so that
  // a long chain of types cannot overflow the stack.
  TypeId typeOf(Dwarf_Die* die);
  // The id of a type DIE (queued for drain on first sight).
  TypeId idFor(Dwarf_Die* typeDie);
  // Reads every type queued by typeOf and idFor.
  void drain();

 private:
  void readType(TypeId id, Dwarf_Die* die);
  void readRecord(Type& t, Dwarf_Die* die);
  void readEnum(Type& t, Dwarf_Die* die);
  void readArray(TypeId id, Dwarf_Die* die);
  Database& db_;
  std::unordered_map<std::string, uint32_t> files_;
  std::unordered_map<Dwarf_Off, TypeId> types_;
  std::deque<std::pair<TypeId, Dwarf_Die>> pending_;
};

// A name through DW_AT_abstract_origin and DW_AT_specification (the
// out-of-line copy of an inlined function names nothing itself).
std::string nameOf(Dwarf_Die* die);
// An unsigned attribute, or `dflt`.
uint64_t udata(Dwarf_Die* die, unsigned name, uint64_t dflt = 0);

// Where a DWARF expression puts a value, for [low, high).
Location decodeLocation(const Dwarf_Op* ops, size_t n, uint64_t low, uint64_t high);
// Every location of an attribute (a location list, or one expression over
// the ranges `scope` gives it).
std::vector<Location> locationsOf(Dwarf_Attribute* attr, const std::vector<Range>& scope);

// The subprograms of a compilation unit, their parameters and locals.
void readFunctions(Context& cx, Dwarf_Die* cu);
// The line table of a compilation unit.
void readLines(Context& cx, Dwarf_Die* cu);
// Every function's call frame address rules (Function::cfa).
void readFrames(Dwarf* dw, Elf* elf, Database& db);

// A whole image: its DWARF, or its .BTF section when it has no DWARF.
// `name` is what errors call the image.
bool fromElf(Elf* elf, const std::string& name, Database& db, std::string& error);

}  // namespace symdb::dwarf
