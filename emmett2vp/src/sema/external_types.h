// External types: `$module.T`, `struct $module.T`, `union $module.T`,
// `enum $module.E` and `$module.CONST` (the update slides' notation) name
// types and enumerators of a symbol database (symdb/, made by emmett-symdb
// from a guest image's DWARF). MODULE is the database's image name, or the
// name it was loaded under (`-T NAME=FILE`).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emmett2vp/src/sema/types.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/source_manager.h"
#include "symdb/symdb.h"

namespace emmett {

class ExternalTypes {
 public:
  ExternalTypes();
  ~ExternalTypes();
  // Loads "FILE" or "NAME=FILE". A problem is an error (at the bad line of
  // the database, which is then added to `sm` to be quoted).
  bool load(const std::string& spec, SourceManager& sm, Diagnostics& diags);
  bool empty() const { return modules_.empty(); }
  // Every loaded database was read from BTF: types, no functions or lines.
  bool typesOnly() const;

  // "$demo.RUNNING": the value of an enumerator; nullopt if not one.
  std::optional<uint64_t> constant(std::string_view dollarName) const;

  enum class Want : uint8_t { Any, Struct, Union, Enum };
  // "$demo.task": the type, laid out in `table` (with every record it
  // reaches). Null with `error` set when there is no such type. Any looks
  // for a typedef, then a struct, union or enum tag.
  const Type* type(std::string_view dollarName, Want want, TypeTable& table, std::string& error);

  // Every loaded database, in load order (line probes search them all).
  std::vector<const symdb::Database*> databases() const;

  // Whether `$name.X` names a database's type or constant rather than the
  // member X of a target variable `$name`: `name` is a loaded database, or
  // none is loaded (so that the messages stay about databases).
  bool isModule(std::string_view name) const { return modules_.empty() || module(name); }

  // The function whose code holds a guest address, in the first database
  // that has one (for `$args`, the probed function's variables).
  struct FunctionAt {
    const symdb::Database* db = nullptr;
    const symdb::Function* fn = nullptr;
    std::string module;
  };
  std::optional<FunctionAt> functionAt(uint64_t addr) const;
  // A database type of that function's module, laid out in `table`.
  const Type* typeOf(const FunctionAt& at, symdb::TypeId id, TypeTable& table);

 private:
  struct Module {
    std::string name;
    symdb::Database db;
  };
  const Module* module(std::string_view name) const;
  const symdb::Type* find(const Module& m, std::string_view name, Want want) const;
  std::vector<std::unique_ptr<Module>> modules_;
  std::map<std::pair<const symdb::Database*, symdb::TypeId>, const Type*> converted_;
};

// "$demo.task" into "demo" and "task"; false if it is not of that shape.
bool splitExternal(std::string_view dollarName, std::string_view& module, std::string_view& name);

}  // namespace emmett
