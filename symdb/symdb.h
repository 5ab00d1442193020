// symdb: a guest image's debug information (DWARF), read once with libdw
// (or only its types, from BTF, with libbpf) into a database that Emmett
// loads fast: functions and their address
// ranges and inlined calls, the line table (with where statements start),
// types (structs, unions, enums, typedefs, arrays, pointers, bit fields),
// and where each parameter and local of a function lives at each address
// (register, stack slot, constant). linePlaces answers line probes.
//
//   symdb::Database db;
//   std::string err;
//   if (!symdb::readImage("demo.elf", db, err)) die(err);    // DWARF (libdw) or BTF (libbpf)
//   symdb::writeDatabase(db, out);                           // demo.symdb
//   if (!symdb::readDatabase(text, "demo.symdb", db, err)) die(err);
//
// The file format is docs/emmett.md's "Database format". Both readers
// take hostile input: a malformed image or database is an error message,
// never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace symdb {

// Type 0 is void (also what qualifiers of nothing and unknown tags are).
using TypeId = uint32_t;

enum class TypeKind : uint8_t { Void, Base, Pointer, Array, Struct, Union, Enum, Typedef, Function };

struct Member {
  std::string name;     // empty: an anonymous struct or union member
  TypeId type = 0;
  uint64_t bitOffset = 0;  // from the start of the record
  uint32_t bitSize = 0;    // 0: not a bit field
};

struct Enumerator {
  std::string name;
  uint64_t value = 0;  // two's complement for negative values
};

struct Type {
  TypeKind kind = TypeKind::Void;
  std::string name;       // base type, tag (may be empty), typedef name
  uint64_t size = 0;      // bytes; Array: the element count instead
  bool isSigned = false;  // Base and Enum
  bool complete = true;   // Struct, Union, Enum: false for a declaration only
  TypeId target = 0;      // Pointer, Array (element), Typedef
  std::vector<Member> members;
  std::vector<Enumerator> enumerators;
};

// Where a variable is over [low, high) (both 0: wherever its function runs).
struct Location {
  enum class Kind : uint8_t {
    Register,     // in register `reg` (DWARF numbering: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15)
    RegOffset,    // in memory at register `reg` + offset
    FrameOffset,  // in memory at the frame base + offset
    FrameBase,    // the call frame address (a function's frame base)
    Constant,     // the value itself is `value` (optimized to a constant)
    Address,      // in memory at `value`
    Expression,   // any other DWARF expression, kept as `expr` (op:arg:arg, ...)
  };
  uint64_t low = 0, high = 0;
  Kind kind = Kind::Expression;
  uint32_t reg = 0;
  int64_t offset = 0;
  uint64_t value = 0;
  std::string expr;
};

struct Variable {
  std::string name;
  TypeId type = 0;
  bool isParam = false;
  std::vector<Location> locations;  // empty: optimized out
};

struct Range {
  uint64_t low = 0, high = 0;  // [low, high)
};

// A call inlined into a function: where its copy of the callee's code is,
// so that a line of the callee found in several copies is several places.
struct Inlined {
  std::string name;    // the inlined function
  uint32_t depth = 1;  // 1: inlined into the function itself; 2: into a depth-1 copy ...
  std::vector<Range> ranges;
  // Where the copy starts (DW_AT_entry_pc). It may lie outside `ranges`:
  // the copy's first statement can share an address with the caller's
  // code, as a zero-length row of the line table.
  uint64_t entry = 0;
};

struct Function {
  std::string name;
  uint64_t entry = 0;
  uint32_t file = 0;  // index into Database::files (0: unknown)
  uint32_t line = 0;
  std::vector<Range> ranges;
  std::vector<Location> frameBase;
  // The call frame address (DW_OP_call_frame_cfa) over its code, from the
  // call frame information: RegOffset is the value reg + offset (RSP+8 at
  // the entry), Expression any other rule. Empty: the image has no CFI.
  std::vector<Location> cfa;
  std::vector<Variable> vars;
  std::vector<Inlined> inlined;
};

struct Line {
  uint64_t addr = 0;
  uint32_t file = 0;
  uint32_t line = 0;
  bool isStmt = true;  // the line table's is_stmt: a statement starts here (a breakpoint goes here)
};

struct Database {
  std::string image;               // the module name scripts use ($image.T)
  // Read from BTF: types only (BTF has no addresses, so no functions,
  // lines or variables).
  bool fromBtf = false;
  std::vector<std::string> files;  // files[0] is "" (unknown)
  std::vector<Type> types;         // types[0] is void
  std::vector<Function> functions;
  std::vector<Line> lines;         // sorted by address

  Database();
  // Name lookups (the first complete definition wins over declarations and
  // later copies, as every compilation unit repeats the types it uses).
  // Null when absent.
  const Type* findStruct(std::string_view tag) const { return find(structs_, tag); }
  const Type* findUnion(std::string_view tag) const { return find(unions_, tag); }
  const Type* findEnum(std::string_view tag) const { return find(enums_, tag); }
  const Type* findTypedef(std::string_view name) const { return find(typedefs_, name); }
  const Enumerator* findEnumerator(std::string_view name) const;
  TypeId idOf(const Type* t) const { return static_cast<TypeId>(t - types.data()); }
  // The rows of `lines` for one source line (indexes, by address).
  const std::vector<size_t>& rowsOf(uint32_t file, uint32_t line) const;
  // Builds the lookups above; readImage and readDatabase call it.
  void index();

 private:
  const Type* find(const std::map<std::string, TypeId, std::less<>>& m, std::string_view name) const;
  std::map<std::string, TypeId, std::less<>> structs_, unions_, enums_, typedefs_;
  std::map<std::string, std::pair<TypeId, size_t>, std::less<>> enumerators_;
  std::map<std::pair<uint32_t, uint32_t>, std::vector<size_t>> lineRows_;
};

// Reads an ELF image's DWARF, or its .BTF section when it has no DWARF, or
// a raw BTF file (starting with BTF's magic: /sys/kernel/btf/vmlinux). On
// failure returns false with `error` saying why ("demo.elf: no DWARF debug
// information (build it with -g)").
bool readImage(const std::string& path, Database& db, std::string& error);
// The same on an image or BTF in memory (`name` is what errors call it).
bool readImageMemory(const void* data, size_t size, const std::string& name, Database& db, std::string& error);

// Whether bytes start as readImage's input does (ELF's or BTF's magic)
// rather than as a database.
bool isImage(std::string_view bytes);

void writeDatabase(const Database& db, std::ostream& out);
// A database file, or what readImage reads when the file is an image or BTF.
bool loadFile(const std::string& path, Database& db, std::string& error);
// `error` is "NAME:LINE: error: MESSAGE" on failure, and `errorLine` (when
// given) LINE.
bool readDatabase(std::string_view text, const std::string& name, Database& db, std::string& error,
                  size_t* errorLine = nullptr);

// Line probes: where a source line's code starts.
//
// The files whose path is `name` or ends in "/NAME" ("prog.c" finds
// "/src/tests/prog.c").
std::vector<uint32_t> filesNamed(const Database& db, std::string_view name);

// One place a line's code is in: a function, or one inlined copy of a
// function in it.
struct LinePlace {
  uint64_t addr = 0;                   // the line's first statement there (is_stmt)
  const Function* function = nullptr;  // the function whose code holds it (null: none known)
  const Inlined* inlined = nullptr;    // the innermost inlined copy holding it, if any
};
// The places line `line` of file `file` starts a statement, each at its
// lowest such address, by address; only those inside `within` when given.
std::vector<LinePlace> linePlaces(const Database& db, uint32_t file, uint32_t line, const Function* within = nullptr);
// The nearest lines of `file` before and after `line` that start a
// statement (inside `within` when given); 0 for none.
std::pair<uint32_t, uint32_t> nearestLines(const Database& db, uint32_t file, uint32_t line,
                                           const Function* within = nullptr);

// The name a type is written with in C: "struct task", "uint32_t",
// "char *", "int [16]".
std::string typeName(const Database& db, TypeId id);

// Lists what matches `pattern` (a glob: `*`, `?`) as `bpftrace -l` does:
// "func NAME", "struct NAME", "union NAME", "enum NAME", "typedef NAME",
// "line FILE:LINE ADDRESS..." (its linePlaces), one per line, sorted.
// With `verbose`, functions get their address and parameters, records
// their members with offsets.
void list(const Database& db, std::string_view pattern, bool verbose, std::ostream& out);

// `*` and `?` glob matching.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace symdb
