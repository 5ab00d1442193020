#include "emmett2vp/src/probes/line_probe.h"

namespace emmett {
namespace {

std::string baseName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::string placeName(const symdb::LinePlace& p) {
  std::string fn = p.function ? p.function->name : "code outside any known function";
  return p.inlined ? p.inlined->name + " inlined into " + fn : fn;
}

void addSites(const std::vector<symdb::LinePlace>& places, LineResolution& r) {
  for (const auto& p : places) r.sites.push_back({p.addr, placeName(p)});
}

// "the nearest lines with code are 34 and 37": what to write instead.
std::string nearest(const symdb::Database& db, uint32_t file, uint32_t line, const symdb::Function* within,
                    uint32_t fnLine) {
  auto [before, after] = symdb::nearestLines(db, file, line, within);
  auto say = [&](uint32_t l) {
    std::string s = std::to_string(l);
    if (within && l >= fnLine) s += " (F" + std::to_string(l - fnLine) + ")";
    return s;
  };
  std::string in = within ? " in " + within->name : "";
  if (before && after) return "; the nearest lines with code" + in + " are " + say(before) + " and " + say(after);
  if (before || after) return "; the nearest line with code" + in + " is " + say(before ? before : after);
  return "; no line of it has code" + in;
}

}  // namespace

LineResolution resolveFunctionLine(const std::vector<const symdb::Database*>& dbs, std::string_view fn, char form,
                                   uint32_t n) {
  LineResolution r;
  bool found = false;
  std::string noCode;
  for (const symdb::Database* db : dbs) {
    for (const symdb::Function& f : db->functions) {
      if (f.name != fn) continue;
      found = true;
      if (f.file == 0 || (form == 'F' && f.line == 0)) {
        noCode = "the symbol database does not say which file and line '" + f.name + "' is at";
        continue;
      }
      uint32_t line = form == 'F' ? f.line + n : n;
      std::string file = baseName(db->files[f.file]);
      r.line = file + ":" + std::to_string(line);
      std::vector<symdb::LinePlace> places = symdb::linePlaces(*db, f.file, line, &f);
      if (places.empty()) {
        std::string what = form == 'F' ? "F" + std::to_string(n) + " (" + r.line + ")" : "line " + r.line;
        noCode = what + " has no code in " + f.name + nearest(*db, f.file, line, &f, f.line);
      }
      addSites(places, r);
    }
  }
  r.unknownName = !found;
  if (!found) r.error = "no function '" + std::string(fn) + "' in the symbol databases";
  else if (r.sites.empty()) r.error = noCode;
  return r;
}

LineResolution resolveFileLine(const std::vector<const symdb::Database*>& dbs, std::string_view file, uint32_t line) {
  LineResolution r;
  r.line = std::string(file) + ":" + std::to_string(line);
  std::vector<std::pair<const symdb::Database*, uint32_t>> matched;
  for (const symdb::Database* db : dbs)
    for (uint32_t id : symdb::filesNamed(*db, file)) matched.emplace_back(db, id);
  if (matched.empty()) {
    r.error = "no source file '" + std::string(file) + "' in the symbol databases";
    r.unknownName = true;
    return r;
  }
  if (matched.size() > 1) {
    auto path = [&](size_t i) { return matched[i].first->files[matched[i].second]; };
    r.unknownName = true;
    r.error = "'" + std::string(file) + "' names " + std::to_string(matched.size()) + " files (" + path(0) + ", " +
              path(1) + (matched.size() > 2 ? ", ..." : "") + "); write more of its path";
    return r;
  }
  auto [db, id] = matched[0];
  addSites(symdb::linePlaces(*db, id, line), r);
  if (r.sites.empty()) r.error = r.line + " has no code" + nearest(*db, id, line, nullptr, 0);
  return r;
}

}  // namespace emmett
