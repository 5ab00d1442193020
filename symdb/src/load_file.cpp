// loadFile: what the listing commands (emmett-symdb -l, vprobe -l -T)
// accept, a database or the image it would be made from.
#include <fstream>
#include <sstream>

#include "symdb/src/btf_reader.h"
#include "symdb/symdb.h"

namespace symdb {

bool isImage(std::string_view bytes) { return bytes.starts_with("\x7f" "ELF") || btf::isBtf(bytes); }

bool loadFile(const std::string& path, Database& db, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": error: cannot read the file";
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (isImage(s)) return readImageMemory(s.data(), s.size(), path, db, error);
  return readDatabase(s, path, db, error);
}

}  // namespace symdb
