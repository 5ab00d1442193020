#include "emmett2vp/src/sema/types.h"

#include <sstream>

#include "emmett2vp/src/sema/external_types.h"

namespace emmett {

const Field* Record::find(const std::string& n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

Type* TypeTable::make(Type t) {
  types_.push_back(std::move(t));
  return &types_.back();
}

TypeTable::TypeTable() {
  error_ = make({Type::Kind::Error, 0, 1, false, nullptr, 0, nullptr, "<error>"});
  void_ = make({Type::Kind::Void, 0, 1, false, nullptr, 0, nullptr, "void"});
  string_ = make({Type::Kind::String, 0, 1, false, nullptr, 0, nullptr, "string"});
  aggr_ = make({Type::Kind::Aggr, 0, 1, false, nullptr, 0, nullptr, "aggr"});
  bag_ = make({Type::Kind::Bag, 0, 1, false, nullptr, 0, nullptr, "bag"});
  int_ = builtin("int");
}

void TypeTable::setPointerSize(unsigned bytes) { pointerSize_ = bytes; }

namespace {
// Canonical name and layout of a combination of C type words.
bool canonicalInt(const std::string& words, unsigned ptrSize, std::string& name, uint64_t& size, bool& isSigned) {
  static const std::map<std::string, std::pair<uint64_t, bool>> sized = {
      {"int8", {1, true}},   {"int16", {2, true}},  {"int32", {4, true}},  {"int64", {8, true}},
      {"uint8", {1, false}}, {"uint16", {2, false}}, {"uint32", {4, false}}, {"uint64", {8, false}}};
  auto it = sized.find(words);
  if (it != sized.end()) {
    name = words;
    std::tie(size, isSigned) = it->second;
    return true;
  }
  int nUnsigned = 0, nSigned = 0, nChar = 0, nShort = 0, nInt = 0, nLong = 0;
  std::istringstream in(words);
  for (std::string w; in >> w;) {
    if (w == "unsigned") ++nUnsigned;
    else if (w == "signed") ++nSigned;
    else if (w == "char") ++nChar;
    else if (w == "short") ++nShort;
    else if (w == "int") ++nInt;
    else if (w == "long") ++nLong;
    else return false;
  }
  if (nUnsigned + nSigned > 1 || nChar > 1 || nShort > 1 || nInt > 1 || nLong > 2) return false;
  if ((nChar && (nShort || nInt || nLong)) || (nShort && nLong)) return false;
  isSigned = nUnsigned == 0;
  std::string base;
  if (nChar) base = "char", size = 1;
  else if (nShort) base = "short", size = 2;
  else if (nLong == 2) base = "long long", size = 8;
  else if (nLong == 1) base = "long", size = ptrSize;
  else base = "int", size = 4;
  name = (nUnsigned ? "unsigned " : "") + base;
  return true;
}
}  // namespace

const Type* TypeTable::builtin(const std::string& words) {
  if (words == "void") return void_;
  if (words == "string") return string_;
  std::string name;
  uint64_t size = 0;
  bool isSigned = false;
  if (!canonicalInt(words, pointerSize_, name, size, isSigned)) return nullptr;
  auto it = builtins_.find(name);
  if (it != builtins_.end()) return it->second;
  const Type* t = make({Type::Kind::Int, size, size, isSigned, nullptr, 0, nullptr, name});
  builtins_[name] = t;
  return t;
}

const Type* TypeTable::pointerTo(const Type* t) {
  auto it = pointers_.find(t);
  if (it != pointers_.end()) return it->second;
  std::string name = t->name + (t->kind == Type::Kind::Pointer ? "*" : " *");
  const Type* p = make({Type::Kind::Pointer, pointerSize_, pointerSize_, false, t, 0, nullptr, name});
  pointers_[t] = p;
  return p;
}

const Type* TypeTable::arrayOf(const Type* t, uint64_t n) {
  auto key = std::make_pair(t, n);
  auto it = arrays_.find(key);
  if (it != arrays_.end()) return it->second;
  // Saturate rather than overflow for absurd dimensions; layout checks
  // reject them later.
  uint64_t size = t->size != 0 && n > UINT64_MAX / t->size ? UINT64_MAX : t->size * n;
  const Type* a = make({Type::Kind::Array, size, t->align, false, t, n, nullptr, t->name + " [" + std::to_string(n) + "]"});
  arrays_[key] = a;
  return a;
}

Record* TypeTable::record(const std::string& tag, bool isUnion, Location loc) {
  auto& tags = isUnion ? unionTags_ : structTags_;
  auto it = tags.find(tag);
  if (it != tags.end()) return it->second;
  records_.push_back({});
  Record* r = &records_.back();
  r->tag = tag;
  r->isUnion = isUnion;
  r->loc = loc;
  tags[tag] = r;
  return r;
}

Record* TypeTable::anonymousRecord(bool isUnion, Location loc) {
  records_.push_back({});
  Record* r = &records_.back();
  r->isUnion = isUnion;
  r->loc = loc;
  return r;
}

const Type* TypeTable::recordType(Record* r) {
  auto it = recordTypes_.find(r);
  if (it != recordTypes_.end()) return it->second;
  std::string name = std::string(r->isUnion ? "union " : "struct ") + (r->tag.empty() ? "<anonymous>" : r->tag);
  // Size and alignment are read through `record` once the body is laid out.
  const Type* t = make({Type::Kind::Record, 0, 1, false, nullptr, 0, r, name});
  recordTypes_[r] = t;
  return t;
}

bool TypeTable::defineTypedef(const std::string& name, const Type* t) {
  return typedefs_.emplace(name, t).second;
}

const Type* TypeTable::typedefType(const std::string& name) const {
  auto it = typedefs_.find(name);
  return it == typedefs_.end() ? nullptr : it->second;
}

bool TypeTable::defineEnumConst(const std::string& name, uint64_t value, Location loc) {
  return enumConsts_.emplace(name, EnumConst{value, loc}).second;
}

const TypeTable::EnumConst* TypeTable::enumConst(const std::string& name) const {
  if (name.starts_with('$')) {
    auto v = externals_ ? externals_->constant(name) : std::nullopt;
    if (!v) return nullptr;
    return &externalConsts_.insert_or_assign(name, EnumConst{*v, {}}).first->second;
  }
  auto it = enumConsts_.find(name);
  return it == enumConsts_.end() ? nullptr : &it->second;
}

}  // namespace emmett

namespace emmett {

uint64_t typeSize(const Type* t) {
  if (t->kind == Type::Kind::Record) return t->record->size;
  if (t->kind == Type::Kind::Array) {
    uint64_t e = typeSize(t->elem);
    return e != 0 && t->count > UINT64_MAX / e ? UINT64_MAX : e * t->count;
  }
  return t->size;
}

uint64_t typeAlign(const Type* t) {
  if (t->kind == Type::Kind::Record) return t->record->align;
  if (t->kind == Type::Kind::Array) return typeAlign(t->elem);
  return t->align;
}

}  // namespace emmett
