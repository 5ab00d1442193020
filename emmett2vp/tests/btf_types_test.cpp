// External types from a kernel's BTF: a task_struct built here with
// libbpf, made into a database as `emmett-symdb FILE.btf` does, and a
// script reading its members at BTF's offsets. What BTF cannot give (line
// probes, the probed function's variables) is refused saying why.
#include <bpf/btf.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "emmett2vp/tests/test_util.h"
#include "symdb/symdb.h"

namespace {

namespace t = emmett::test;
using t::contains;
using t::TempDb;

// struct task_struct { unsigned int __state; ...; pid_t pid @2416;
//   const char comm[16] @2976; unsigned flags:2 @2992; } (a 6.1 kernel's
// offsets); typedef int pid_t; enum { TASK_COMM_LEN = 16 }.
std::string kernelBtf() {
  std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new_empty(), btf__free);
  struct btf* k = b.get();
  int sint = btf__add_int(k, "int", 4, BTF_INT_SIGNED);
  int uint = btf__add_int(k, "unsigned int", 4, 0);
  int pid = btf__add_typedef(k, "pid_t", sint);
  int comm = btf__add_array(k, uint, btf__add_const(k, btf__add_int(k, "char", 1, BTF_INT_SIGNED)), 16);
  btf__add_struct(k, "task_struct", 9792);
  btf__add_field(k, "__state", uint, 24 * 8, 0);
  btf__add_field(k, "pid", pid, 2416 * 8, 0);
  btf__add_field(k, "comm", comm, 2976 * 8, 0);
  btf__add_field(k, "flags", uint, 2992 * 8 + 3, 2);
  btf__add_enum(k, "", 4);
  btf__add_enum_value(k, "TASK_COMM_LEN", 16);
  uint32_t size = 0;
  const void* raw = btf__raw_data(k, &size);
  return std::string(static_cast<const char*>(raw), size);
}

// The database emmett-symdb writes from that BTF.
std::string kernelDb() {
  std::string raw = kernelBtf();
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readImageMemory(raw.data(), raw.size(), "vmlinux.btf", db, error));
  std::ostringstream text;
  symdb::writeDatabase(db, text);
  return text.str();
}

emmett::Options withDb(const TempDb& db) {
  emmett::Options o;
  o.symbolDatabases.push_back("k=" + db.path);
  return o;
}

}  // namespace

TEST_CASE("btf types: a task's members at the offsets its BTF gives") {
  TempDb db(kernelDb());
  std::string vp = t::flatVp(
      "VMM1Hz { $k.task_struct *t = RDI; printf(\"%d %s %d %d\", t->pid, t->comm, t->flags, $k.TASK_COMM_LEN); }\n",
      withDb(db));
  INFO(vp);
  CHECK(contains(vp, "(getgueststr str.1 16 (+ probe1.t 2976))"));
  CHECK(contains(vp, "(+ probe1.t 2416)"));
  CHECK(contains(vp, "(+ probe1.t 2992)"));
  CHECK(contains(vp, " 16)"));
  CHECK(t::vpBody("VMM1Hz { printf(\"%d\", sizeof(struct $k.task_struct)); }\n", withDb(db)).find("9792") !=
        std::string::npos);
}

TEST_CASE("btf types: line probes and the probed function's variables need DWARF") {
  TempDb db(kernelDb());
  CHECK(t::firstMessage("GUEST:fork.c:12 { logint(1); }\n", withDb(db)) ==
        "t.emt:1:7: error: line probe 'GUEST:fork.c:12' needs the guest's line table, but the symbol databases hold "
        "only types (read from BTF, which has no lines): load one made from the guest's DWARF");
  CHECK(t::firstMessage("GUEST:0xffffffff81000000 { logint($args->clone_flags); }\n", withDb(db)) ==
        "t.emt:1:35: error: '$args->clone_flags' reads a variable of the probed guest function, but the symbol databases hold "
        "only types (read from BTF, which has no functions or variables): load one made from the guest's DWARF");
}

TEST_CASE("btf types: -T takes the database emmett-symdb makes, and says so when given the BTF") {
  TempDb raw(kernelBtf());
  CHECK(t::firstMessage("VMM1Hz { }\n", withDb(raw)) ==
        "error: '" + raw.path + "' is a guest image or BTF, not a symbol database: make one with `emmett-symdb " +
            raw.path + " -o FILE.symdb` and load that");
}
