// emmett: compiles an Emmett script to VP (stdout, or -o OUT); the command
// line is options.h. Errors go to stderr as FILE:LINE:COL: error: MESSAGE;
// the exit code is 1 (2 for a wrong command line).
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "tools/emmett/options.h"

int main(int argc, char** argv) {
  emmettcli::Args args;
  if (auto status = emmettcli::parseArgs(argc, argv, args)) return *status;
  emmett::Result r;
  if (args.file == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    r = emmett::compileSource(std::move(text), "<stdin>", args.compile);
  } else {
    r = emmett::compileFile(args.file, args.compile);
  }
  std::cerr << r.messages;
  if (!r.ok) return 1;
  if (args.output.empty()) {
    std::cout << r.vp;
    return 0;
  }
  std::ofstream o(args.output, std::ios::binary);
  o << r.vp;
  if (!o) {
    std::cerr << "emmett: cannot write '" << args.output << "'\n";
    return 1;
  }
  return 0;
}
