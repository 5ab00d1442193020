// Database types (symdb::Type) into Emmett types (sema/types.h), with the
// layouts DWARF gives: offsets and sizes as the compiler laid them out,
// bit fields, and anonymous struct/union members whose fields are reached
// as the enclosing record's (C11).
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>

#include "emmett2vp/src/sema/types.h"
#include "symdb/symdb.h"

namespace emmett {

class SymdbTypes {
 public:
  using Memo = std::map<std::pair<const symdb::Database*, symdb::TypeId>, const Type*>;
  // Records are tagged "$module.tag", so they never meet the script's own.
  SymdbTypes(TypeTable& table, const symdb::Database& db, std::string module, Memo& memo)
      : table_(table), db_(db), module_(std::move(module)), memo_(memo) {}
  // The type, and every record it reaches laid out.
  const Type* convert(symdb::TypeId id);

 private:
  const Type* type(symdb::TypeId id, int depth);
  const Type* base(uint64_t size, bool isSigned);
  const Type* record(symdb::TypeId id, int depth, bool now);
  void layout(Record& r, const symdb::Type& t, int depth);
  void addMember(Record& r, const symdb::Member& m, int depth);
  TypeTable& table_;
  const symdb::Database& db_;
  std::string module_;
  Memo& memo_;
  std::deque<std::pair<Record*, symdb::TypeId>> pending_;  // records reached through pointers
  std::set<Record*> inProgress_;
};

}  // namespace emmett
