// loadFile: what the listing commands (emmett-symdb -l, vprobe -l -T)
// accept, a database or the image it would be made from.
#include <fstream>
#include <sstream>

#include "symdb/symdb.h"

namespace symdb {

bool loadFile(const std::string& path, Database& db, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": error: cannot read the file";
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.starts_with("\x7f" "ELF")) return readImage(path, db, error);
  return readDatabase(s, path, db, error);
}

}  // namespace symdb
