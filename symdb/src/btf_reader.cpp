// BTF into database types, with libbpf doing the decoding. BTF type ids
// are not database ids: qualifiers (const, volatile, restrict, type tags)
// are looked through, as the DWARF reader drops them, and what is not a
// data type (functions, variables, data sections, declaration tags) gets
// no id at all.
#include "symdb/src/btf_reader.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <vector>

#include "symdb/src/containment.h"

namespace symdb::btf {
namespace {

struct BadBtf {
  std::string what;
};

// libbpf reports why it refuses a BTF through its print callback (to
// stderr by default; most reasons at its debug level); the last message
// becomes part of our error instead.
std::string& libbpfComplaint() {
  static std::string last;
  return last;
}

int keepComplaint(enum libbpf_print_level, const char* fmt, va_list ap) {
  char buf[256];
  vsnprintf(buf, sizeof buf, fmt, ap);
  std::string s = buf;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.starts_with("libbpf: ")) s.erase(0, 8);
  libbpfComplaint() = s;
  return 0;
}

// btf__new with libbpf's complaints captured, and the caller's print
// callback restored (libbpf's is process-wide).
struct btf* parse(const void* data, size_t size, std::string& why) {
  libbpfComplaint().clear();
  libbpf_print_fn_t before = libbpf_set_print(keepComplaint);
  struct btf* b = size > UINT32_MAX ? nullptr : btf__new(data, static_cast<uint32_t>(size));
  libbpf_set_print(before);
  why = libbpfComplaint().empty() ? "malformed BTF" : "malformed BTF (" + libbpfComplaint() + ")";
  return b;
}

bool isQualifier(uint16_t kind) {
  return kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_RESTRICT ||
         kind == BTF_KIND_TYPE_TAG;
}

bool isDataType(uint16_t kind) {
  switch (kind) {
    case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_PTR: case BTF_KIND_ARRAY: case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
    case BTF_KIND_FUNC_PROTO:
      return true;
    default:
      return false;
  }
}

class Converter {
 public:
  Converter(const struct btf* b, Database& db) : btf_(b), db_(db), count_(btf__type_cnt(b)) {}
  void run();

 private:
  static constexpr TypeId kUnset = UINT32_MAX;
  const btf_type* at(uint32_t id) const { return btf__type_by_id(btf_, id); }
  std::string nameOf(uint32_t id, uint32_t offset) const;
  TypeId ref(uint32_t from, uint32_t to);
  const btf_type* unqualified(uint32_t id) const;
  Type convert(uint32_t id, const btf_type* t);
  void readRecord(uint32_t id, const btf_type* t, Type& out);
  void readEnum(uint32_t id, const btf_type* t, Type& out);
  const struct btf* btf_;
  Database& db_;
  uint32_t count_;
  std::vector<TypeId> ids_;  // BTF id -> database id (kUnset: a qualifier not yet followed)
  uint64_t pointerSize_ = 8;
};

void Converter::run() {
  size_t ps = btf__pointer_size(btf_);
  if (ps == 4 || ps == 8) pointerSize_ = ps;
  ids_.assign(count_, kUnset);
  ids_[0] = 0;
  // Ids first, so that a member may name a type defined after it.
  for (uint32_t id = 1; id < count_; ++id) {
    if (!isDataType(btf_kind(at(id)))) continue;
    ids_[id] = static_cast<TypeId>(db_.types.size());
    db_.types.emplace_back();
  }
  for (uint32_t id = 1; id < count_; ++id) {
    const btf_type* t = at(id);
    if (isDataType(btf_kind(t))) db_.types[ids_[id]] = convert(id, t);
  }
}

std::string Converter::nameOf(uint32_t id, uint32_t offset) const {
  const char* s = btf__name_by_offset(btf_, offset);
  if (!s) throw BadBtf{"type " + std::to_string(id) + " has a name outside the string section"};
  return s;
}

// The database id of what BTF type `from` refers to as type `to`, through
// any qualifiers (a chain of them is bounded: hostile BTF may loop).
TypeId Converter::ref(uint32_t from, uint32_t to) {
  std::vector<uint32_t> chain;
  uint32_t id = to;
  for (;;) {
    if (id >= count_)
      throw BadBtf{"type " + std::to_string(from) + " refers to type " + std::to_string(id) + ", past the last (" +
                   std::to_string(count_ - 1) + ")"};
    if (ids_[id] != kUnset) break;
    const btf_type* t = at(id);
    if (!isQualifier(btf_kind(t)))
      throw BadBtf{"type " + std::to_string(from) + " refers to type " + std::to_string(id) + ", which is not a data type"};
    if (chain.size() == 64) throw BadBtf{"type " + std::to_string(to) + " is a loop (or a chain of 64) of qualifiers"};
    chain.push_back(id);
    id = t->type;
  }
  for (uint32_t q : chain) ids_[q] = ids_[id];
  return ids_[id];
}

// The type `id` names through its qualifiers (a chain ref() has checked).
const btf_type* Converter::unqualified(uint32_t id) const {
  const btf_type* t = at(id);
  for (int hops = 0; t && isQualifier(btf_kind(t)) && hops < 64; ++hops) t = at(t->type);
  return t;
}

Type Converter::convert(uint32_t id, const btf_type* t) {
  Type out;
  out.name = nameOf(id, t->name_off);
  switch (btf_kind(t)) {
    case BTF_KIND_INT:
      out.kind = TypeKind::Base, out.size = t->size;
      out.isSigned = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
      break;
    case BTF_KIND_FLOAT: out.kind = TypeKind::Base, out.size = t->size; break;
    case BTF_KIND_PTR: out.kind = TypeKind::Pointer, out.size = pointerSize_, out.target = ref(id, t->type); break;
    case BTF_KIND_ARRAY:
      out.kind = TypeKind::Array, out.size = btf_array(t)->nelems, out.target = ref(id, btf_array(t)->type);
      break;
    case BTF_KIND_TYPEDEF: out.kind = TypeKind::Typedef, out.target = ref(id, t->type); break;
    case BTF_KIND_FUNC_PROTO: out.kind = TypeKind::Function, out.name.clear(); break;
    case BTF_KIND_FWD:
      out.kind = btf_kflag(t) ? TypeKind::Union : TypeKind::Struct;
      out.complete = false;
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: readRecord(id, t, out); break;
    default: readEnum(id, t, out); break;  // ENUM, ENUM64: isDataType admits nothing else
  }
  return out;
}

void Converter::readRecord(uint32_t id, const btf_type* t, Type& out) {
  out.kind = btf_is_union(t) ? TypeKind::Union : TypeKind::Struct;
  out.size = t->size;
  const btf_member* m = btf_members(t);
  for (uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
    Member mem;
    mem.name = nameOf(id, m->name_off);
    mem.type = ref(id, m->type);
    mem.bitOffset = btf_member_bit_offset(t, i);
    mem.bitSize = btf_member_bitfield_size(t, i);
    // Without kind_flag a bit field is an INT of fewer bits than its
    // size, with its own bit offset (BTF's first encoding).
    const btf_type* base = btf_kflag(t) ? nullptr : unqualified(m->type);
    if (base && btf_is_int(base) && btf_int_bits(base) < base->size * 8u) {
      mem.bitSize = btf_int_bits(base);
      mem.bitOffset += btf_int_offset(base);
    }
    out.members.push_back(std::move(mem));
  }
}

void Converter::readEnum(uint32_t id, const btf_type* t, Type& out) {
  out.kind = TypeKind::Enum;
  out.size = t->size;
  out.isSigned = btf_kflag(t);
  // An enum without enumerators is how BTF declares one.
  out.complete = btf_vlen(t) > 0;
  for (uint32_t i = 0; i < btf_vlen(t); ++i) {
    Enumerator e;
    if (btf_is_enum64(t)) {
      e.name = nameOf(id, btf_enum64(t)[i].name_off);
      e.value = btf_enum64_value(&btf_enum64(t)[i]);
    } else {
      e.name = nameOf(id, btf_enum(t)[i].name_off);
      int32_t v = btf_enum(t)[i].val;
      e.value = out.isSigned ? static_cast<uint64_t>(static_cast<int64_t>(v)) : static_cast<uint32_t>(v);
    }
    out.enumerators.push_back(std::move(e));
  }
}

}  // namespace

bool isBtf(std::string_view bytes) {
  return bytes.size() >= 2 && ((bytes[0] == '\x9f' && bytes[1] == '\xeb') || (bytes[0] == '\xeb' && bytes[1] == '\x9f'));
}

bool read(const void* data, size_t size, const std::string& name, Database& db, std::string& error) {
  std::string why;
  std::unique_ptr<struct btf, void (*)(struct btf*)> b(parse(data, size, why), btf__free);
  if (!b) {
    error = name + ": error: " + why;
    return false;
  }
  db = Database();
  db.fromBtf = true;
  try {
    Converter(b.get(), db).run();
  } catch (const BadBtf& e) {
    error = name + ": error: malformed BTF: " + e.what;
    db = Database();
    return false;
  }
  std::string bad = selfContainingType(db);
  if (!bad.empty()) {
    error = name + ": error: " + bad;
    db = Database();
    return false;
  }
  db.index();
  return true;
}

std::string_view section(Elf* elf) {
  size_t strndx = 0;
  if (elf_getshdrstrndx(elf, &strndx) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    const char* n = gelf_getshdr(scn, &shdr) ? elf_strptr(elf, strndx, shdr.sh_name) : nullptr;
    if (!n || std::string_view(n) != ".BTF" || shdr.sh_type == SHT_NOBITS) continue;
    // libelf refuses a section that lies outside the file.
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (d && d->d_buf && d->d_size) return {static_cast<const char*>(d->d_buf), d->d_size};
  }
  return {};
}

}  // namespace symdb::btf
