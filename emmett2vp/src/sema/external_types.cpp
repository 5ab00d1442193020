#include "emmett2vp/src/sema/external_types.h"

#include <fstream>
#include <sstream>

#include "emmett2vp/src/sema/symdb_types.h"

namespace emmett {
namespace {

bool isIdentifier(std::string_view s) {
  if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// An image name that is not an identifier ("vmlinux-6") cannot follow a
// `$`; its other characters become '_'.
std::string asIdentifier(std::string s) {
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  if (s.empty() || isdigit(static_cast<unsigned char>(s[0]))) s = "_" + s;
  return s;
}

}  // namespace

bool splitExternal(std::string_view s, std::string_view& module, std::string_view& name) {
  if (!s.starts_with('$')) return false;
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  module = s.substr(1, dot - 1);
  name = s.substr(dot + 1);
  return true;
}

ExternalTypes::ExternalTypes() = default;
ExternalTypes::~ExternalTypes() = default;

bool ExternalTypes::load(const std::string& spec, SourceManager& sm, Diagnostics& diags) {
  size_t eq = spec.find('=');
  std::string name, path = spec;
  if (eq != std::string::npos && isIdentifier(std::string_view(spec).substr(0, eq))) {
    name = spec.substr(0, eq);
    path = spec.substr(eq + 1);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({}) << "cannot read symbol database '" << path << "'";
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  // One way in: emmett-symdb makes the database, once, from the image.
  if (symdb::isImage(text.view())) {
    diags.error({}) << "'" << path << "' is a guest image or BTF, not a symbol database: make one with `emmett-symdb "
                    << path << " -o FILE.symdb` and load that";
    return false;
  }
  auto m = std::make_unique<Module>();
  std::string error;
  size_t line = 0;
  if (!symdb::readDatabase(text.str(), path, m->db, error, &line)) {
    uint32_t file = sm.add(path, text.str());
    diags.error({file, static_cast<uint32_t>(line), 1}) << error.substr(error.find(": error: ") + 9);
    return false;
  }
  m->name = name.empty() ? asIdentifier(m->db.image) : name;
  if (module(m->name)) {
    diags.error({}) << "two symbol databases are named '" << m->name << "' (name one with -T NAME=FILE)";
    return false;
  }
  modules_.push_back(std::move(m));
  return true;
}

bool ExternalTypes::typesOnly() const {
  for (const auto& m : modules_)
    if (!m->db.fromBtf) return false;
  return !modules_.empty();
}

std::vector<const symdb::Database*> ExternalTypes::databases() const {
  std::vector<const symdb::Database*> out;
  for (const auto& m : modules_) out.push_back(&m->db);
  return out;
}

const ExternalTypes::Module* ExternalTypes::module(std::string_view name) const {
  for (const auto& m : modules_)
    if (m->name == name) return m.get();
  return nullptr;
}

std::optional<uint64_t> ExternalTypes::constant(std::string_view dollarName) const {
  std::string_view mod, name;
  if (!splitExternal(dollarName, mod, name)) return std::nullopt;
  const Module* m = module(mod);
  const symdb::Enumerator* e = m ? m->db.findEnumerator(name) : nullptr;
  if (!e) return std::nullopt;
  return e->value;
}

const symdb::Type* ExternalTypes::find(const Module& m, std::string_view name, Want want) const {
  const symdb::Database& db = m.db;
  switch (want) {
    case Want::Struct: return db.findStruct(name);
    case Want::Union: return db.findUnion(name);
    case Want::Enum: return db.findEnum(name);
    case Want::Any: break;
  }
  if (const symdb::Type* t = db.findTypedef(name)) return t;
  if (const symdb::Type* t = db.findStruct(name)) return t;
  if (const symdb::Type* t = db.findUnion(name)) return t;
  return db.findEnum(name);
}

const Type* ExternalTypes::type(std::string_view dollarName, Want want, TypeTable& table, std::string& error) {
  std::string_view mod, name;
  if (!splitExternal(dollarName, mod, name)) {
    error = "'" + std::string(dollarName) + "' is not $MODULE.NAME";
    return nullptr;
  }
  const Module* m = module(mod);
  if (!m) {
    error = modules_.empty() ? "external type '" + std::string(dollarName) +
                                   "' needs a symbol database: make one with `emmett-symdb IMAGE` and load it "
                                   "with -T FILE (or declare the type, a sparse struct with @offset fields)"
                             : "no symbol database named '" + std::string(mod) + "' is loaded (-T " +
                                   std::string(mod) + "=FILE names one)";
    return nullptr;
  }
  const symdb::Type* t = find(*m, name, want);
  if (!t) {
    static const char* what[] = {"type", "struct", "union", "enum"};
    error = "symbol database '" + m->name + "' has no " + what[static_cast<int>(want)] + " '" + std::string(name) + "'";
    return nullptr;
  }
  SymdbTypes conv(table, m->db, m->name, converted_);
  return conv.convert(m->db.idOf(t));
}

std::optional<ExternalTypes::FunctionAt> ExternalTypes::functionAt(uint64_t addr) const {
  for (const auto& m : modules_)
    for (const symdb::Function& f : m->db.functions)
      for (const symdb::Range& r : f.ranges)
        if (addr >= r.low && addr < r.high) return FunctionAt{&m->db, &f, m->name};
  return std::nullopt;
}

const Type* ExternalTypes::typeOf(const FunctionAt& at, symdb::TypeId id, TypeTable& table) {
  SymdbTypes conv(table, *at.db, at.module, converted_);
  return conv.convert(id);
}

}  // namespace emmett
