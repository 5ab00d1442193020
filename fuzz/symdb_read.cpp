// The symbol database readers on any bytes, as `emmett -T FILE` and
// `emmett-symdb IMAGE` see them: a database is text anyone may hand to
// Emmett, and an image (starting with the ELF magic, or BTF's: a kernel's
// raw BTF) is the guest's, hostile by definition. Checked for every input:
//   - no crash, sanitizer report, uncaught exception or hang;
//   - a refusal says why, naming the file ("NAME:LINE: error: ..." for a
//     database, "NAME: error: ..." for an image or BTF);
//   - a database that is read writes back to text that reads back to the
//     same text (nothing read is lost or invented), and what an image
//     gives is written as a database that reads back;
//   - every type name can be printed and every listing made.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "symdb/symdb.h"

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "%s\n--- detail\n%s\n", what.c_str(), detail.c_str());
  std::abort();
}

void exercise(const symdb::Database& db) {
  for (symdb::TypeId id = 0; id < db.types.size(); ++id) (void)symdb::typeName(db, id);
  std::ostringstream list;
  symdb::list(db, "*", true, list);
  symdb::list(db, "*:*", false, list);
}

void database(const std::string& text) {
  symdb::Database db;
  std::string error;
  if (!symdb::readDatabase(text, "in.symdb", db, error)) {
    if (!error.starts_with("in.symdb:")) fail("a refusal without the file's name and line", error);
    return;
  }
  std::ostringstream once;
  symdb::writeDatabase(db, once);
  symdb::Database again;
  if (!symdb::readDatabase(once.str(), "out.symdb", again, error)) fail("what was written does not read back", error);
  std::ostringstream twice;
  symdb::writeDatabase(again, twice);
  if (twice.str() != once.str()) fail("what was written reads back differently", once.str() + "\n---\n" + twice.str());
  exercise(db);
}

void image(const std::string& bytes) {
  symdb::Database db;
  std::string error;
  if (!symdb::readImageMemory(bytes.data(), bytes.size(), "in.elf", db, error)) {
    if (!error.starts_with("in.elf: error: ")) fail("a refusal without the image's name", error);
    return;
  }
  // What emmett-symdb writes from it, Emmett must read.
  std::ostringstream text;
  symdb::writeDatabase(db, text);
  symdb::Database again;
  if (!symdb::readDatabase(text.str(), "out.symdb", again, error)) fail("the image's database does not read back", error);
  exercise(db);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string in(reinterpret_cast<const char*>(data), size);
  if (symdb::isImage(in)) image(in);
  else database(in);
  return 0;
}
