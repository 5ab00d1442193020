// The BTF reader on BTF built here with libbpf's writer: every kind a
// kernel's BTF uses, read into the database a DWARF image gives, listed
// exactly; and BTF that is not what it claims (cut short, a reference out
// of range, qualifiers in a loop, a name outside the strings) is an error
// naming the input, never a crash.
#include <bpf/btf.h>
#include <elf.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <sstream>

#include "symdb/symdb.h"

namespace {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

BtfPtr newBtf() { return BtfPtr(btf__new_empty(), btf__free); }

std::string rawBytes(const struct btf* b) {
  uint32_t size = 0;
  const void* data = btf__raw_data(b, &size);
  return std::string(static_cast<const char*>(data), size);
}

// What sampleBtf() holds, in C:
//   struct node {
//     struct node *next;
//     const volatile int id;
//     unsigned kind:3; int delta:5;            (kind_flag bit fields)
//     union { unsigned raw; struct { unsigned short lo, hi; }; };
//     char name[8];
//     int m[2][3];
//     void (*fn)(void);
//     struct later *fwd; union opaque *u;      (declared only)
//     char __user *buf;                        (a type tag)
//   };
//   typedef struct node node_t; typedef node_t node2_t; typedef const node2_t cnode_t;
//   enum color { RED, GREEN = 7, BLACK = -1 }; enum big : u64 { HUGE = 1ull << 40 };
//   double d;
// plus a function and a variable, which are not types. libbpf adds a
// struct's fields to the type added last, so everything a struct refers
// to comes first, and the pointer to node names node's id before it.
std::string sampleBtf() {
  BtfPtr b = newBtf();
  struct btf* t = b.get();
  int sint = btf__add_int(t, "int", 4, BTF_INT_SIGNED);
  int uint = btf__add_int(t, "unsigned int", 4, 0);
  int ushort = btf__add_int(t, "short unsigned int", 2, 0);
  int chr = btf__add_int(t, "char", 1, BTF_INT_SIGNED);
  int ulong = btf__add_int(t, "long unsigned int", 8, 0);
  btf__add_float(t, "double", 8);
  int cvint = btf__add_const(t, btf__add_volatile(t, sint));
  int inner = btf__add_struct(t, "", 4);
  btf__add_field(t, "lo", ushort, 0, 0);
  btf__add_field(t, "hi", ushort, 16, 0);
  int un = btf__add_union(t, "", 4);
  btf__add_field(t, "raw", uint, 0, 0);
  btf__add_field(t, "", inner, 0, 0);
  int m = btf__add_array(t, ulong, btf__add_array(t, ulong, sint, 3), 2);
  int name = btf__add_array(t, ulong, chr, 8);
  int later = btf__add_ptr(t, btf__add_fwd(t, "later", BTF_FWD_STRUCT));
  int opaque = btf__add_ptr(t, btf__add_fwd(t, "opaque", BTF_FWD_UNION));
  int proto = btf__add_func_proto(t, 0);
  int fn = btf__add_ptr(t, proto);
  int buf = btf__add_ptr(t, btf__add_type_tag(t, "user", chr));
  int next = btf__add_ptr(t, static_cast<int>(btf__type_cnt(t)) + 1);
  int node = btf__add_struct(t, "node", 88);
  REQUIRE(next + 1 == node);
  btf__add_field(t, "next", next, 0, 0);
  btf__add_field(t, "id", cvint, 64, 0);
  btf__add_field(t, "kind", uint, 96, 3);
  btf__add_field(t, "delta", sint, 99, 5);
  btf__add_field(t, "", un, 128, 0);
  btf__add_field(t, "name", name, 160, 0);
  btf__add_field(t, "m", m, 224, 0);
  btf__add_field(t, "fn", fn, 448, 0);
  btf__add_field(t, "fwd", later, 512, 0);
  btf__add_field(t, "u", opaque, 576, 0);
  btf__add_field(t, "buf", buf, 640, 0);
  int node2 = btf__add_typedef(t, "node2_t", btf__add_typedef(t, "node_t", node));
  btf__add_typedef(t, "cnode_t", btf__add_const(t, node2));
  btf__add_enum(t, "color", 4);
  btf__add_enum_value(t, "RED", 0);
  btf__add_enum_value(t, "GREEN", 7);
  btf__add_enum_value(t, "BLACK", -1);
  btf__add_enum64(t, "big", 8, false);
  btf__add_enum64_value(t, "HUGE", 1ull << 40);
  btf__add_func(t, "walk", BTF_FUNC_GLOBAL, proto);
  btf__add_var(t, "jiffies", BTF_VAR_GLOBAL_ALLOCATED, ulong);
  return rawBytes(t);
}

bool readBtf(const std::string& bytes, symdb::Database& db, std::string& error) {
  return symdb::readImageMemory(bytes.data(), bytes.size(), "t.btf", db, error);
}

std::string refusal(const std::string& bytes) {
  symdb::Database db;
  std::string error;
  return readBtf(bytes, db, error) ? "" : error;
}

std::string listing(const symdb::Database& db) {
  std::ostringstream out;
  symdb::list(db, "*", true, out);
  return out.str();
}

// An ELF image holding only a .BTF section (a kernel built without DWARF
// keeps its BTF so): header, the section's bytes, the section names, the
// section headers (none, .BTF, .shstrtab).
std::string elfWithBtf(const std::string& btf) {
  static const char names[] = "\0.BTF\0.shstrtab";
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64, eh.e_ident[EI_DATA] = ELFDATA2LSB, eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC, eh.e_machine = EM_X86_64, eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof eh, eh.e_shentsize = sizeof(Elf64_Shdr), eh.e_shnum = 3, eh.e_shstrndx = 2;
  size_t namesAt = sizeof eh + btf.size();
  eh.e_shoff = (namesAt + sizeof names + 7) & ~size_t{7};
  Elf64_Shdr sh[3] = {};
  sh[1].sh_name = 1, sh[1].sh_type = SHT_PROGBITS, sh[1].sh_offset = sizeof eh, sh[1].sh_size = btf.size();
  sh[1].sh_addralign = 1;
  sh[2].sh_name = 6, sh[2].sh_type = SHT_STRTAB, sh[2].sh_offset = namesAt, sh[2].sh_size = sizeof names;
  sh[2].sh_addralign = 1;
  std::string out(reinterpret_cast<const char*>(&eh), sizeof eh);
  out += btf;
  out.append(names, sizeof names);
  out.resize(eh.e_shoff);
  out.append(reinterpret_cast<const char*>(sh), sizeof sh);
  return out;
}

const char* kSampleListing =
    "enum big\n"
    "    HUGE = 1099511627776\n"
    "enum color\n"
    "    RED = 0\n"
    "    GREEN = 7\n"
    "    BLACK = -1\n"
    "struct node (88 bytes)\n"
    "    +0 next: struct node *\n"
    "    +8 id: int\n"
    "    +12.0:3 kind: unsigned int\n"
    "    +12.3:5 delta: int\n"
    "    +16 <anonymous>: union <anonymous>\n"
    "    +20 name: char[8]\n"
    "    +28 m: int[2][3]\n"
    "    +56 fn: void ( *)()\n"
    "    +64 fwd: struct later *\n"
    "    +72 u: union opaque *\n"
    "    +80 buf: char *\n"
    "typedef cnode_t = node2_t\n"
    "typedef node2_t = node_t\n"
    "typedef node_t = struct node\n";

}  // namespace

TEST_CASE("btf reader: every kind, qualifiers looked through, listed as DWARF's would be") {
  symdb::Database db;
  std::string error;
  REQUIRE(readBtf(sampleBtf(), db, error));
  CHECK(listing(db) == kSampleListing);
  CHECK(db.image == "t");
  CHECK(db.fromBtf);
  CHECK(db.functions.empty());
  CHECK(db.lines.empty());
  // 25 data types and void; the 3 qualifiers, the type tag, the function
  // and the variable get no id.
  CHECK(db.types.size() == 26);
  const symdb::Type* later = db.findStruct("later");
  REQUIRE(later);
  CHECK_FALSE(later->complete);
  REQUIRE(db.findUnion("opaque"));
  CHECK_FALSE(db.findUnion("opaque")->complete);
  const symdb::Type* color = db.findEnum("color");
  REQUIRE(color);
  CHECK(color->isSigned);
  CHECK(color->size == 4);
  CHECK(db.findEnumerator("BLACK")->value == UINT64_MAX);
  CHECK_FALSE(db.findEnum("big")->isSigned);
  const symdb::Type* node = db.findStruct("node");
  REQUIRE(node);
  CHECK(db.types[node->members[0].type].size == 8);  // a pointer: the BTF's pointer size
  const symdb::Type& id = db.types[node->members[1].type];
  CHECK((id.kind == symdb::TypeKind::Base && id.isSigned && id.size == 4));
  bool sawDouble = false;
  for (const auto& t : db.types) sawDouble |= t.kind == symdb::TypeKind::Base && t.name == "double" && t.size == 8;
  CHECK(sawDouble);
}

TEST_CASE("btf reader: the database written and read back is the same, and says it came from BTF") {
  symdb::Database db;
  std::string error;
  REQUIRE(readBtf(sampleBtf(), db, error));
  std::ostringstream text;
  symdb::writeDatabase(db, text);
  CHECK(text.str().starts_with("symdb 1\nimage t\nfrom btf\n"));
  symdb::Database again;
  REQUIRE(symdb::readDatabase(text.str(), "t.symdb", again, error));
  CHECK(again.fromBtf);
  CHECK(listing(again) == kSampleListing);
}

TEST_CASE("btf reader: a bit field of BTF's first encoding (an INT of fewer bits, no kind_flag)") {
  BtfPtr b = newBtf();
  int u3 = btf__add_int(b.get(), "u3", 4, 0);
  btf__add_struct(b.get(), "s", 4);
  btf__add_field(b.get(), "f", u3, 8, 0);
  std::string bytes = rawBytes(b.get());
  // The INT's own word (after the 24-byte header and its 12-byte type):
  // 3 bits at bit 2.
  uint32_t intData = 2u << 16 | 3u;
  std::memcpy(&bytes[24 + 12], &intData, 4);
  symdb::Database db;
  std::string error;
  REQUIRE(readBtf(bytes, db, error));
  CHECK(listing(db) == "struct s (4 bytes)\n    +1.2:3 f: u3\n");
}

TEST_CASE("btf reader: the .BTF section of an ELF image without DWARF") {
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readImageMemory(elfWithBtf(sampleBtf()).data(), elfWithBtf(sampleBtf()).size(), "vmlinux", db,
                                 error));
  CHECK(db.image == "vmlinux");
  CHECK(db.fromBtf);
  CHECK(listing(db) == kSampleListing);
}

TEST_CASE("btf reader: cut short at every length, an error naming the input") {
  std::string bytes = sampleBtf();
  for (size_t n = 0; n < bytes.size(); ++n) {
    INFO("the first " << n << " of " << bytes.size() << " bytes");
    std::string error = refusal(bytes.substr(0, n));
    if (n < 2) CHECK(error == "t.btf: error: neither an ELF image nor BTF");
    else CHECK(error.starts_with("t.btf: error: malformed BTF"));
  }
}

TEST_CASE("btf reader: what libbpf lets through and the reader refuses") {
  auto build = [](auto add) {
    BtfPtr b = newBtf();
    add(b.get());
    return rawBytes(b.get());
  };
  CHECK(refusal(build([](struct btf* t) { btf__add_ptr(t, 999); })) ==
        "t.btf: error: malformed BTF: type 1 refers to type 999, past the last (1)");
  CHECK(refusal(build([](struct btf* t) {
          btf__add_ptr(t, 2);
          btf__add_const(t, 3);
          btf__add_volatile(t, 2);
        })) == "t.btf: error: malformed BTF: type 2 is a loop (or a chain of 64) of qualifiers");
  CHECK(refusal(build([](struct btf* t) {
          btf__add_func(t, "f", BTF_FUNC_GLOBAL, btf__add_func_proto(t, 0));
          btf__add_typedef(t, "f_t", 2);
        })) == "t.btf: error: malformed BTF: type 3 refers to type 2, which is not a data type");
  CHECK(refusal(build([](struct btf* t) { btf__add_typedef(t, "loop", 1); })) ==
        "t.btf: error: type 1 contains itself");
  // A name offset past the strings (patched: the writer never makes one).
  std::string bytes = build([](struct btf* t) { btf__add_int(t, "int", 4, BTF_INT_SIGNED); });
  uint32_t far = 0xfffff;
  std::memcpy(&bytes[24], &far, 4);
  CHECK(refusal(bytes).starts_with("t.btf: error: malformed BTF"));
  // The wrong magic is not BTF at all.
  bytes[0] = 'x';
  CHECK(refusal(bytes) == "t.btf: error: neither an ELF image nor BTF");
}

TEST_CASE("btf reader: corrupted BTF is refused or read, never a crash") {
  std::string good = sampleBtf();
  std::mt19937 rng(17);
  int readOk = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bad = good;
    // Past the magic, so that each one is read as BTF.
    for (int i = 0; i < 1 + round % 4; ++i) bad[2 + rng() % (bad.size() - 2)] = static_cast<char>(rng());
    symdb::Database db;
    std::string error;
    if (!readBtf(bad, db, error)) {
      CHECK(error.starts_with("t.btf: error: "));
      continue;
    }
    ++readOk;
    for (symdb::TypeId id = 0; id < db.types.size(); ++id) (void)symdb::typeName(db, id);
    (void)listing(db);
  }
  CHECK(readOk > 0);
}
