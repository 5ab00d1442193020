// vprobe -l -T SYMDB [PATTERN]: what the symbol databases hold (functions,
// types, lines), as bpftrace -l lists probes; symdb::list does the listing.
#include <iostream>
#include <sstream>

#include "symdb/symdb.h"
#include "tools/vprobe/commands.h"

namespace vprobe {

int listSymbols(const Options& options) {
  bool several = options.symbolDatabases.size() > 1;
  for (const auto& spec : options.symbolDatabases) {
    // NAME=FILE as Emmett's -T reads it; the listing only shows NAME.
    size_t eq = spec.find('=');
    bool named = eq != std::string::npos && eq > 0 && spec.find('/') > eq;
    std::string path = named ? spec.substr(eq + 1) : spec;
    symdb::Database db;
    std::string error;
    if (!symdb::loadFile(path, db, error)) return fail(error);
    std::ostringstream out;
    symdb::list(db, options.pattern, options.verbose, out);
    std::string module = named ? spec.substr(0, eq) : db.image;
    std::istringstream lines(out.str());
    // With several databases each entry says whose it is.
    for (std::string line; std::getline(lines, line);)
      std::cout << (several && !line.starts_with("    ") ? module + " " : "") << line << '\n';
  }
  return 0;
}

}  // namespace vprobe
