// emmett [-D NAME[=VAL]] [-I DIR] [-s SYMS] [-T [NAME=]SYMDB] [-V VERSION] [-o OUT] [--dump-ast] FILE.emt
// Compiles an Emmett script to VP (stdout, or OUT). FILE "-" reads stdin.
// -T loads a symbol database (emmett-symdb) for external types, $NAME.T.
// Errors go to stderr as FILE:LINE:COL: error: MESSAGE; the exit code is 1.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "emmett2vp/emmett2vp.h"

namespace {

int usage() {
  std::cerr << "usage: emmett [-D NAME[=VAL]] [-I DIR] [-s SYMS] [-T [NAME=]SYMDB] [-V VERSION] [-o OUT] [--dump-ast] FILE.emt\n";
  return 2;
}

// "-DX" and "-D X" are both accepted, as in cc.
bool takeArg(int argc, char** argv, int& i, const std::string& flag, std::string& out) {
  std::string a = argv[i];
  if (a.rfind(flag, 0) != 0) return false;
  if (a.size() > flag.size()) out = a.substr(flag.size());
  else if (i + 1 < argc) out = argv[++i];
  else out.clear();
  return true;
}

bool parseVersion(const std::string& s, vp::Version& v) {
  size_t dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= s.size()) return false;
  try {
    v.major = std::stoi(s.substr(0, dot));
    v.minor = std::stoi(s.substr(dot + 1));
  } catch (...) {
    return false;
  }
  return v >= vp::kOldestVersion && v <= vp::kEngineVersion;
}

}  // namespace

int main(int argc, char** argv) {
  emmett::Options opts;
  std::string out, file, value;
  bool haveFile = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (takeArg(argc, argv, i, "-D", value)) {
      if (value.empty()) return usage();
      size_t eq = value.find('=');
      if (eq == std::string::npos) opts.defines.emplace_back(value, "1");
      else opts.defines.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (takeArg(argc, argv, i, "-I", value)) {
      if (value.empty()) return usage();
      opts.includeDirs.push_back(value);
    } else if (takeArg(argc, argv, i, "-s", value)) {
      if (value.empty()) return usage();
      opts.symbolFile = value;
    } else if (takeArg(argc, argv, i, "-T", value)) {
      if (value.empty()) return usage();
      opts.symbolDatabases.push_back(value);
    } else if (takeArg(argc, argv, i, "-V", value)) {
      if (!parseVersion(value, opts.target)) {
        std::cerr << "emmett: unsupported VP version '" << value << "' (" << vp::kOldestVersion.str()
                  << " to " << vp::kEngineVersion.str() << ")\n";
        return 2;
      }
    } else if (takeArg(argc, argv, i, "-o", value)) {
      if (value.empty()) return usage();
      out = value;
    } else if (a == "--dump-ast") {
      opts.dumpAst = true;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!haveFile && (a == "-" || a[0] != '-')) {
      file = a;
      haveFile = true;
    } else {
      return usage();
    }
  }
  if (!haveFile) return usage();
  emmett::Result r;
  if (file == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    r = emmett::compileSource(std::move(text), "<stdin>", opts);
  } else {
    r = emmett::compileFile(file, opts);
  }
  std::cerr << r.messages;
  if (!r.ok) return 1;
  if (out.empty()) {
    std::cout << r.vp;
    return 0;
  }
  std::ofstream o(out, std::ios::binary);
  o << r.vp;
  if (!o) {
    std::cerr << "emmett: cannot write '" << out << "'\n";
    return 1;
  }
  return 0;
}
