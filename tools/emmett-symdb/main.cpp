// emmett-symdb: a guest image's DWARF (or a kernel's BTF) into a symbol
// database, or (-l) a listing of one; the command line is options.h. The database is what
// `emmett -T FILE` and `vprobe -T FILE` load for external types ($NAME.T), line probes and
// target variables; docs/emmett.md describes it. Errors go to stderr; the exit code is 1
// (2 for a wrong command line).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "symdb/symdb.h"
#include "tools/emmett-symdb/options.h"

namespace {

std::string defaultOutput(const std::string& image) {
  size_t slash = image.find_last_of('/');
  size_t dot = image.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return image + ".symdb";
  return image.substr(0, dot) + ".symdb";
}

}  // namespace

int main(int argc, char** argv) {
  symdbcli::Args args;
  if (auto status = symdbcli::parseArgs(argc, argv, args)) return *status;
  symdb::Database db;
  std::string error;
  if (!(args.list ? symdb::loadFile(args.image, db, error) : symdb::readImage(args.image, db, error))) {
    std::cerr << error << '\n';
    return 1;
  }
  if (args.list) {
    symdb::list(db, args.pattern, args.verbose, std::cout);
    return 0;
  }
  if (!args.name.empty()) db.image = args.name;
  std::string out = args.output.empty() ? defaultOutput(args.image) : args.output;
  std::ofstream o(out, std::ios::binary);
  symdb::writeDatabase(db, o);
  if (!o.flush()) {
    std::cerr << "emmett-symdb: cannot write '" << out << "'\n";
    return 1;
  }
  return 0;
}
