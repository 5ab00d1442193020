// emmett-symdb IMAGE [-n NAME] [-o FILE]     a guest image's DWARF into a symbol database
// emmett-symdb -l [-v] PATTERN FILE          list functions, types and lines of a database (or image)
// The database is what `emmett -T FILE` and `vprobe -T FILE` load for
// external types ($NAME.T) and line probes; docs/emmett.md describes it. FILE defaults to
// the image's name with ".symdb" for its extension. Errors go to stderr; the
// exit code is 1.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "symdb/symdb.h"

namespace {

int usage() {
  std::cerr << "usage: emmett-symdb IMAGE [-n NAME] [-o FILE]\n"
               "       emmett-symdb -l [-v] PATTERN FILE|IMAGE\n";
  return 2;
}

std::string defaultOutput(const std::string& image) {
  size_t slash = image.find_last_of('/');
  size_t dot = image.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return image + ".symdb";
  return image.substr(0, dot) + ".symdb";
}

int listing(int argc, char** argv) {
  bool verbose = false;
  int i = 2;
  if (i < argc && std::string(argv[i]) == "-v") verbose = true, ++i;
  if (argc - i != 2) return usage();
  symdb::Database db;
  std::string error;
  if (!symdb::loadFile(argv[i + 1], db, error)) {
    std::cerr << error << '\n';
    return 1;
  }
  symdb::list(db, argv[i], verbose, std::cout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "-l") return listing(argc, argv);
  std::string image, out, name;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-o" || a == "-n") && i + 1 < argc) (a == "-o" ? out : name) = argv[++i];
    else if (a == "-h" || a == "--help") return usage(), 0;
    else if (image.empty() && !a.starts_with("-")) image = a;
    else return usage();
  }
  if (image.empty()) return usage();
  symdb::Database db;
  std::string error;
  if (!symdb::readImage(image, db, error)) {
    std::cerr << error << '\n';
    return 1;
  }
  if (!name.empty()) db.image = name;
  if (out.empty()) out = defaultOutput(image);
  std::ofstream o(out, std::ios::binary);
  symdb::writeDatabase(db, o);
  if (!o.flush()) {
    std::cerr << "emmett-symdb: cannot write '" << out << "'\n";
    return 1;
  }
  return 0;
}
