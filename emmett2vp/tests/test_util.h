// Helpers shared by the emmett2vp unit tests.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "emmett2vp/emmett2vp.h"

namespace emmett::test {

inline Result compile(const std::string& src, Options opts = {}) { return compileSource(src, "t.emt", opts); }

// The first line of the diagnostics ("t.emt:L:C: error: ...").
inline std::string firstMessage(const std::string& src, Options opts = {}) {
  Result r = compile(src, opts);
  return r.messages.substr(0, r.messages.find('\n'));
}

// The VP without the header comment line.
inline std::string vpBody(const std::string& src, Options opts = {}) {
  Result r = compile(src, opts);
  if (!r.ok) return "ERROR: " + r.messages;
  return r.vp.substr(r.vp.find('\n') + 1);
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The VP on one line: checks do not depend on where the printer breaks.
inline std::string flatVp(const std::string& src, const Options& o) {
  std::string out;
  for (char c : vpBody(src, o)) {
    bool space = c == ' ' || c == '\n';
    if (!(space && (out.empty() || out.back() == ' ' || out.back() == '('))) out += space ? ' ' : c;
  }
  return out;
}

// A symbol database written to a temporary file for the test's length.
struct TempDb {
  std::string path;
  explicit TempDb(const std::string& text) {
    char name[] = "/tmp/emmett-symdb-XXXXXX";
    int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempDb() { unlink(path.c_str()); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
};

}  // namespace emmett::test
