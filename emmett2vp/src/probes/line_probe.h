// Line-number probes (the update slides' "Line number probing"): a source
// line of the guest, resolved through the loaded symbol databases (-T) to
// the address where the line's first statement starts, in every function
// or inlined copy that holds it.
//
//   GUEST:OFFSET:fn:L123   line 123 of fn's file, within fn
//   GUEST:OFFSET:fn:F23    the 23rd line after fn's own (declaration) line, within fn
//   GUEST:file.c:123       line 123 of file.c, wherever its code is
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "symdb/symdb.h"

namespace emmett {

struct LineSite {
  uint64_t addr = 0;
  std::string where;  // "work", "helper inlined into work"
};

// What a line probe resolved to: its sites, or a sentence saying why not.
struct LineResolution {
  std::vector<LineSite> sites;
  std::string error;  // empty when resolved
  bool unknownName = false;  // the error is about the function or file named, not the line
  std::string line;   // "prog.c:35", for the message about several places
};

// `form` is 'L' (a line of fn's file) or 'F' (relative to fn's line).
LineResolution resolveFunctionLine(const std::vector<const symdb::Database*>& dbs, std::string_view fn, char form,
                                   uint32_t n);
LineResolution resolveFileLine(const std::vector<const symdb::Database*>& dbs, std::string_view file, uint32_t line);

}  // namespace emmett
