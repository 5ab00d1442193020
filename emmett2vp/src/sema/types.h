// Semantic types. Script values are VP's 64-bit integers and strings;
// pointers, structs, unions and arrays describe guest memory, which the
// script can read (lowered to getguest/getgueststr) but never write.
// Sizes are those of the guest (C layout; pointers and `long` follow the
// memmodel).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emmett2vp/src/support/location.h"

namespace emmett {

struct Type;

struct Field {
  std::string name;
  const Type* type = nullptr;
  uint64_t offset = 0;
  Location loc;
  // A bit field (only from a symbol database: scripts declare none) is
  // bitSize bits from bit bitShift of the byte at `offset`.
  uint32_t bitSize = 0;
  uint8_t bitShift = 0;
};

struct Record {
  std::string tag;
  bool isUnion = false;
  bool complete = false;
  std::vector<Field> fields;
  uint64_t size = 0, align = 1;
  Location loc;
  const Field* find(const std::string& name) const;
};

struct Type {
  enum class Kind : uint8_t { Void, Int, String, Pointer, Array, Record, Aggr, Bag, Error };
  Kind kind = Kind::Error;
  uint64_t size = 0;   // bytes in guest memory (0: not in memory)
  uint64_t align = 1;
  bool isSigned = false;
  const Type* elem = nullptr;  // Pointer: pointee; Array: element
  uint64_t count = 0;          // Array
  Record* record = nullptr;    // Record
  std::string name;            // as messages print it

  bool isInt() const { return kind == Kind::Int; }
  bool isPointer() const { return kind == Kind::Pointer; }
  bool isString() const { return kind == Kind::String; }
  bool isScalar() const { return kind == Kind::Int || kind == Kind::Pointer; }
  bool isError() const { return kind == Kind::Error; }
  bool isVoid() const { return kind == Kind::Void; }
  bool isCharArray() const { return kind == Kind::Array && elem->kind == Kind::Int && elem->size == 1; }
};

// Owns every type; pointer and array types are interned so that pointer
// equality is type equality.
class ExternalTypes;

class TypeTable {
 public:
  TypeTable();
  // Guest pointer size (memmodel guest32: 4, guest64: 8). Set before any
  // pointer or `long` type is created.
  void setPointerSize(unsigned bytes);
  unsigned pointerSize() const { return pointerSize_; }

  const Type* error() const { return error_; }
  const Type* voidType() const { return void_; }
  const Type* stringType() const { return string_; }
  const Type* intType() const { return int_; }  // script integers
  const Type* aggrType() const { return aggr_; }
  const Type* bagType() const { return bag_; }
  // A builtin type from its words ("unsigned long"); null if invalid.
  const Type* builtin(const std::string& words);
  const Type* pointerTo(const Type* t);
  const Type* arrayOf(const Type* t, uint64_t n);
  // The record with this tag (created incomplete on first mention).
  Record* record(const std::string& tag, bool isUnion, Location loc);
  // An anonymous record.
  Record* anonymousRecord(bool isUnion, Location loc);
  const Type* recordType(Record* r);

  // typedef names and enum constants share C's ordinary namespace.
  bool defineTypedef(const std::string& name, const Type* t);
  const Type* typedefType(const std::string& name) const;
  struct EnumConst {
    uint64_t value;
    Location loc;
  };
  bool defineEnumConst(const std::string& name, uint64_t value, Location loc);
  // "$module.NAME" is an enumerator of a symbol database.
  const EnumConst* enumConst(const std::string& name) const;

  // The symbol databases `$module.T` names (null: none loaded).
  void setExternals(ExternalTypes* e) { externals_ = e; }
  ExternalTypes* externals() const { return externals_; }

 private:
  Type* make(Type t);
  std::deque<Type> types_;
  std::deque<Record> records_;
  std::map<const Type*, const Type*> pointers_;
  std::map<std::pair<const Type*, uint64_t>, const Type*> arrays_;
  std::map<std::string, const Type*> builtins_;
  std::map<std::string, Record*> structTags_, unionTags_;
  std::map<Record*, const Type*> recordTypes_;
  std::map<std::string, const Type*> typedefs_;
  std::map<std::string, EnumConst> enumConsts_;
  mutable std::map<std::string, EnumConst> externalConsts_;
  ExternalTypes* externals_ = nullptr;
  unsigned pointerSize_ = 8;
  const Type *error_, *void_, *string_, *int_, *aggr_, *bag_;
};

}  // namespace emmett

namespace emmett {
// Size and alignment read through records and arrays, so that types
// created before a struct's body was laid out see its final layout.
uint64_t typeSize(const Type* t);
uint64_t typeAlign(const Type* t);
}  // namespace emmett
