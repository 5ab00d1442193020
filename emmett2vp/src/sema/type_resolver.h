// Turns syntactic types (TypeSpec + declarator stars and dimensions) into
// semantic types, laying out struct/union bodies and defining enum
// constants the first time their definition is seen.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/sema/external_types.h"
#include "emmett2vp/src/sema/types.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

class TypeResolver {
 public:
  TypeResolver(TypeTable& table, Diagnostics& diags) : table_(table), diags_(diags) {}

  // Never null: the error type after reporting (when `report`) a problem.
  const Type* resolve(const ast::TypeSpec& spec, int pointers, const std::vector<ast::ExprPtr>& dims,
                      bool report = true);
  TypeTable& table() { return table_; }

 private:
  const Type* base(const ast::TypeSpec& spec, bool report);
  const Type* recordBase(const ast::TypeSpec& spec, bool report);
  const Type* external(const std::string& name, ExternalTypes::Want want, Location loc, bool report);
  void layout(Record& r, const ast::RecordDef& def);
  bool layoutField(Record& r, const ast::FieldDecl& f, uint64_t& end);
  void defineEnum(const ast::EnumDef& def);

  TypeTable& table_;
  Diagnostics& diags_;
  std::map<const ast::RecordDef*, Record*> defs_;
  std::set<const ast::EnumDef*> enumsDone_;
};

}  // namespace emmett
