#include "tools/vprobe/prepare_script.h"

#include <cstdio>
#include <iostream>
#include <iterator>

#include "emmett2vp/emmett2vp.h"
#include "vmx-client/config_file.h"
#include "vp/aggregate_printing.h"

namespace vprobe {
namespace {

// A script file's text; "-" is the standard input.
bool readInput(const std::string& file, std::string& text) {
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::string error;
  if (vmx::readTextFile(file, text, error)) return true;
  std::fprintf(stderr, "vprobe: error: cannot read %s: %s\n", file.c_str(), error.c_str());
  return false;
}

std::string displayName(const std::string& file) { return file == "-" ? "<stdin>" : file; }

bool prepareVp(const Options& o, PreparedScript& out) {
  if (o.code) {
    out.vp = *o.code;
    out.name = "<command line>";
    return true;
  }
  out.name = displayName(o.files[0]);
  return readInput(o.files[0], out.vp);
}

bool compileEmmett(const Options& o, vp::Version target, PreparedScript& out) {
  emmett::Options eo;
  eo.defines = o.defines;
  eo.includeDirs = o.includeDirs;
  eo.symbolFile = o.symbolFile;
  eo.symbolDatabases = o.symbolDatabases;
  eo.target = target;
  std::vector<emmett::SourceFile> files;
  if (o.code) files.push_back({"<command line>", *o.code});
  for (const auto& f : o.files) {
    files.push_back({displayName(f), {}});
    if (!readInput(f, files.back().text)) return false;
  }
  std::string first = files[0].name;
  emmett::Result r = emmett::compileSources(std::move(files), eo);
  std::cerr << r.messages << std::flush;
  if (!r.ok) return false;
  out.vp = std::move(r.vp);
  out.version = r.version;
  // The engine's messages about this VP say so by its name.
  out.name = first + " (generated VP)";
  out.mapper.emplace(out.name, std::move(r.sourceMap));
  return true;
}

}  // namespace

bool prepareScript(const Options& options, vp::Version target, PreparedScript& out) {
  if (!(options.vp ? prepareVp(options, out) : compileEmmett(options, target, out))) return false;
  out.vp = vp::withUnloadPrinting(out.vp);
  return true;
}

}  // namespace vprobe
