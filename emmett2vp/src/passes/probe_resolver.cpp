#include "emmett2vp/src/passes/probe_resolver.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "emmett2vp/src/ast/visitor.h"
#include "emmett2vp/src/probes/glob.h"
#include "emmett2vp/src/probes/line_probe.h"
#include "emmett2vp/src/probes/static_probes.h"
#include "vp/probe_point.h"

namespace emmett {
namespace {

struct Part {
  std::string_view text;
  uint32_t offset;  // bytes from the start of the probe name
};

std::vector<Part> splitName(std::string_view name) {
  std::vector<Part> parts;
  size_t b = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == ':') {
      parts.push_back({name.substr(b, i - b), static_cast<uint32_t>(b)});
      b = i + 1;
    }
  }
  return parts;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool parseNumber(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  for (char c : s) {
    unsigned d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                 : std::isxdigit(static_cast<unsigned char>(c)) ? (std::tolower(c) - 'a' + 10) : 99;
    if (d >= base || v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

// Edit distance on lower-case names without underscores, for "did you
// mean" suggestions (HVExit -> HV_Exit).
size_t distance(std::string_view a, std::string_view b) {
  auto norm = [](std::string_view s) {
    std::string o;
    for (char c : s)
      if (c != '_') o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };
  std::string x = norm(a), y = norm(b);
  std::vector<size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= y.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[y.size()];
}

class ProbeResolver : public ast::Visitor<ProbeResolver> {
 public:
  using Visitor::visit;
  ProbeResolver(const SymbolFile& s, std::vector<const symdb::Database*> dbs, Diagnostics& d)
      : syms_(s), dbs_(std::move(dbs)), diags_(d) {}

  void visit(ast::FuncDef&) {}
  void visit(ast::Probe& p) {
    probe_ = &p;
    if (p.name.size() > 4096) {
      diags_.error(p.loc) << "probe name too long";
      return;
    }
    resolve(splitName(p.name));
  }

 private:
  Location at(const Part& part) const { return {probe_->loc.file, probe_->loc.line, probe_->loc.col + part.offset}; }
  void target(std::string vpName, unsigned nargs = 0, std::string probeName = "") {
    probe_->targets.push_back({std::move(vpName), nargs, std::move(probeName)});
  }

  // A guest address a probe name resolves to; `name` is the probe's name
  // with the symbol spelled out (empty for a numeric address).
  struct Site {
    uint64_t addr;
    std::string name;
  };

  void resolve(const std::vector<Part>& parts) {
    size_t i = 0;
    std::string_view domain;
    const auto& first = parts[0].text;
    if (first == "VMM" || first == "VMX" || first == "GUEST" || first == "VMK") {
      domain = first;
      i = 1;
    }
    if (domain == "VMK") {
      diags_.error(at(parts[0])) << "the VMK domain (the ESXi VMkernel) does not exist on this platform; use VMM, VMX or GUEST";
      return;
    }
    if (i >= parts.size() || parts[i].text.empty()) {
      diags_.error(probe_->loc) << "incomplete probe name '" << probe_->name << "'";
      return;
    }
    std::string_view head = parts[i].text;
    if (domain == "GUEST") return guest(parts, i);
    if (head == "GUEST_READ" || head == "GUEST_WRITE") return data(parts, i);
    if (head == "USEC" || head == "TIMER") return periodic(parts, i);
    if (head == "ENTER" || head == "EXIT" || head == "OFFSET" || head == "PROFILE") {
      diags_.error(at(parts[i])) << "'" << std::string(head) << "' probes are dynamic probes of the guest; write GUEST:"
                                  << std::string(head) << ":symbol";
      return;
    }
    if (i + 1 < parts.size()) {
      diags_.error(at(parts[i + 1])) << "malformed probe name '" << probe_->name << "'";
      return;
    }
    staticProbe(parts[i], domain);
  }

  void staticProbe(const Part& part, std::string_view domain) {
    probe_->probeKind = ast::ProbeKind::Static;
    std::string_view name = part.text;
    if (isGlob(name)) {
      for (const auto& p : staticProbes())
        if (globMatch(name, p.name) && (domain.empty() || (domain == "VMX") == p.vmx)) target(std::string(p.name), p.nargs);
      if (probe_->targets.empty()) diags_.error(at(part)) << "probe pattern '" << std::string(name) << "' matches no static probe";
      return;
    }
    const StaticProbeDesc* d = findStaticProbe(name);
    if (!d) {
      auto err = diags_.error(at(part));
      err << "unknown static probe '" << std::string(name) << "'";
      const StaticProbeDesc* best = nullptr;
      size_t bestDist = 3;
      for (const auto& p : staticProbes()) {
        size_t dist = distance(name, p.name);
        if (dist < bestDist) bestDist = dist, best = &p;
      }
      if (best) err << " (did you mean '" << std::string(best->name) << "'?)";
      return;
    }
    if (!domain.empty() && (domain == "VMX") != d->vmx)
      diags_.warning(at(part)) << "probe '" << std::string(name) << "' fires in the " << (d->vmx ? "VMX" : "VMM")
                               << " domain, not " << std::string(domain);
    target(std::string(name), d->nargs);
  }

  // `sym`, `sym+off`, `0xaddr`; globs in sym expand over the symbol file.
  std::vector<Site> address(const Part& part, std::string_view text, uint32_t extraOffset = 0) {
    Part p{text, part.offset + extraOffset};
    if (text.empty()) {
      diags_.error(at(p)) << "missing address in probe name '" << probe_->name << "'";
      return {};
    }
    uint64_t off = 0;
    std::string_view sym = text;
    size_t plus = text.find('+');
    if (plus != std::string_view::npos) {
      if (!parseNumber(text.substr(plus + 1), off)) {
        diags_.error(at({text, p.offset + static_cast<uint32_t>(plus + 1)})) << "malformed offset '"
            << std::string(text.substr(plus + 1)) << "' in probe name";
        return {};
      }
      sym = text.substr(0, plus);
    }
    if (!sym.empty() && std::isdigit(static_cast<unsigned char>(sym[0]))) {
      uint64_t a = 0;
      if (!parseNumber(sym, a)) {
        diags_.error(at(p)) << "malformed guest address '" << std::string(sym) << "'";
        return {};
      }
      return {{a + off, ""}};
    }
    return symbol(p, sym, off);
  }

  // The probe's name with the symbol at p (maybe a glob) replaced by `name`.
  std::string spelled(const Part& p, std::string_view sym, const std::string& name) const {
    return probe_->name.substr(0, p.offset) + name + probe_->name.substr(p.offset + sym.size());
  }

  std::vector<Site> symbol(const Part& p, std::string_view sym, uint64_t off) {
    if (!syms_.loaded()) {
      diags_.error(at(p)) << "guest symbol '" << std::string(sym) << "' needs a symbol file (-s FILE)";
      return {};
    }
    std::vector<Site> out;
    if (isGlob(sym)) {
      for (const auto& [name, a] : syms_.all())
        if (globMatch(sym, name)) out.push_back({a + off, spelled(p, sym, name)});
      if (out.empty()) diags_.error(at(p)) << "symbol pattern '" << std::string(sym) << "' matches no guest symbol";
      return out;
    }
    std::optional<uint64_t> a = syms_.find(std::string(sym));
    if (!a) {
      diags_.error(at(p)) << "unknown guest symbol '" << std::string(sym) << "'";
      return {};
    }
    return {{*a + off, probe_->name}};
  }

  void guest(const std::vector<Part>& parts, size_t i) {
    probe_->probeKind = ast::ProbeKind::Guest;
    std::string_view kind = parts[i].text;
    std::vector<Site> addrs;
    bool fileLineForm = i + 2 == parts.size() && isDecimal(parts[i + 1].text);
    size_t used = kind == "ENTER" || kind == "EXIT" ? 2 : kind == "OFFSET" ? 3 : fileLineForm ? 2 : 1;
    // Checked first, so that a malformed name is not resolved (nor warned about).
    if (i + used < parts.size())
      return (void)(diags_.error(at(parts[i + used])) << "malformed probe name '" << probe_->name << "'");
    std::string vpForm = "GUEST:";
    unsigned nargs = 0;
    if (kind == "ENTER" || kind == "EXIT") {
      if (i + 1 >= parts.size())
        return (void)(diags_.error(at(parts[i])) << "GUEST:" << std::string(kind) << " needs a symbol");
      addrs = address(parts[i + 1], parts[i + 1].text);
      if (kind == "EXIT") {
        probe_->probeKind = ast::ProbeKind::GuestExit;
        vpForm = "GUEST:EXIT:";
        nargs = static_cast<unsigned>(vp::ExitArg::Count);
      }
    } else if (kind == "OFFSET") {
      if (i + 2 >= parts.size()) return (void)(diags_.error(at(parts[i])) << "GUEST:OFFSET needs a symbol and an offset");
      if (isLineNumber(parts[i + 2].text)) {
        addrs = functionLine(parts[i + 1], parts[i + 2]);
      } else {
        uint64_t off = 0;
        if (!parseNumber(parts[i + 2].text, off))
          return (void)(diags_.error(at(parts[i + 2])) << "malformed offset '" << std::string(parts[i + 2].text) << "' in probe name");
        addrs = address(parts[i + 1], parts[i + 1].text);
        for (auto& a : addrs) a.addr += off;
      }
    } else if (fileLineForm) {
      addrs = fileLine(parts[i], parts[i + 1]);
    } else {
      addrs = address(parts[i], kind);
    }
    for (const auto& a : addrs) target(vpForm + hex(a.addr), nargs, a.name);
  }

  static bool isDecimal(std::string_view s) {
    return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  }
  // L123 or F23 (F0 is the function's own line).
  static bool isLineNumber(std::string_view s) { return s.size() > 1 && (s[0] == 'L' || s[0] == 'F') && isDecimal(s.substr(1)); }

  bool haveDatabases(const Part& p) {
    if (dbs_.empty()) {
      diags_.error(at(p)) << "line probe '" << probe_->name << "' needs a symbol database (-T FILE, made by emmett-symdb IMAGE)";
      return false;
    }
    if (std::all_of(dbs_.begin(), dbs_.end(), [](const symdb::Database* db) { return db->fromBtf; })) {
      diags_.error(at(p)) << "line probe '" << probe_->name << "' needs the guest's line table, but the symbol databases "
                          << "hold only types (read from BTF, which has no lines): load one made from the guest's DWARF";
      return false;
    }
    return true;
  }

  // GUEST:OFFSET:fn:L123 and GUEST:OFFSET:fn:F23.
  std::vector<Site> functionLine(const Part& fn, const Part& line) {
    if (!haveDatabases(fn)) return {};
    if (isGlob(fn.text)) {
      diags_.error(at(fn)) << "a line probe names one function, not a pattern ('" << std::string(fn.text) << "')";
      return {};
    }
    uint32_t n = static_cast<uint32_t>(std::stoul(std::string(line.text.substr(1))));
    LineResolution r = resolveFunctionLine(dbs_, fn.text, line.text[0], n);
    return lineSites(r, r.unknownName ? fn : line);
  }

  // GUEST:file.c:123.
  std::vector<Site> fileLine(const Part& file, const Part& line) {
    if (!haveDatabases(file)) return {};
    LineResolution r = resolveFileLine(dbs_, file.text, static_cast<uint32_t>(std::stoul(std::string(line.text))));
    return lineSites(r, r.unknownName ? file : line);
  }

  std::vector<Site> lineSites(const LineResolution& r, const Part& errorAt) {
    if (!r.error.empty()) {
      diags_.error(at(errorAt)) << r.error;
      return {};
    }
    std::vector<Site> out;
    for (const auto& s : r.sites) out.push_back({s.addr, probe_->name});
    if (r.sites.size() > 1) {
      auto w = diags_.warning(probe_->loc);
      w << "line " << r.line << " has code in " << r.sites.size() << " places (inlined or duplicated); probing each:";
      for (size_t k = 0; k < r.sites.size(); ++k) w << (k ? "," : "") << " " << hex(r.sites[k].addr) << " (" << r.sites[k].where << ")";
    }
    return out;
  }

  void data(const std::vector<Part>& parts, size_t i) {
    probe_->probeKind = ast::ProbeKind::GuestData;
    if (i + 2 != parts.size()) return (void)(diags_.error(at(parts[i])) << "expected " << std::string(parts[i].text) << ":ADDRESS");
    for (const auto& a : address(parts[i + 1], parts[i + 1].text)) target(std::string(parts[i].text) + ":" + hex(a.addr), 0, a.name);
  }

  void periodic(const std::vector<Part>& parts, size_t i) {
    probe_->probeKind = ast::ProbeKind::Periodic;
    if (i + 2 != parts.size()) return (void)(diags_.error(at(parts[i])) << "expected " << std::string(parts[i].text) << ":PERIOD");
    const Part& p = parts[i + 1];
    uint64_t usec = 0;
    if (!period(p.text, parts[i].text == "TIMER", usec)) {
      diags_.error(at(p)) << "malformed period '" << std::string(p.text) << "'"
                          << (parts[i].text == "TIMER" ? " (expected N followed by usec, msec, sec or Hz)" : " (expected microseconds)");
      return;
    }
    target("USEC:" + std::to_string(usec));
  }

  static bool period(std::string_view s, bool units, uint64_t& usec) {
    size_t n = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
    uint64_t v = 0;
    if (n == 0 || n > 12 || !parseNumber(s.substr(0, n), v) || v == 0) return false;
    std::string_view unit = s.substr(n);
    if (!units) return unit.empty() && (usec = v, true);
    if (unit.empty() || unit == "usec" || unit == "us") usec = v;
    else if (unit == "msec" || unit == "ms") usec = v * 1000;
    else if (unit == "sec" || unit == "s") usec = v * 1000000;
    else if (unit == "Hz" || unit == "hz") usec = 1000000 / v;
    else return false;
    return usec != 0;
  }

  const SymbolFile& syms_;
  std::vector<const symdb::Database*> dbs_;
  Diagnostics& diags_;
  ast::Probe* probe_ = nullptr;
};

}  // namespace

void resolveProbes(ast::Program& program, const SymbolFile& symbols, const ExternalTypes& databases, Diagnostics& diags) {
  ProbeResolver(symbols, databases.databases(), diags).visit(program);
}

}  // namespace emmett
