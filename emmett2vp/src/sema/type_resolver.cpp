#include "emmett2vp/src/sema/type_resolver.h"

#include "emmett2vp/src/sema/const_eval.h"
#include "emmett2vp/src/sema/external_types.h"

namespace emmett {

const Type* TypeResolver::resolve(const ast::TypeSpec& spec, int pointers,
                                  const std::vector<ast::ExprPtr>& dims, bool report) {
  const Type* t = base(spec, report);
  if (t->isError()) return t;
  for (int i = 0; i < pointers; ++i) t = table_.pointerTo(t);
  for (size_t i = dims.size(); i-- > 0;) {
    auto n = evalConst(*dims[i], table_, this);
    if (!n) {
      if (report) diags_.error(dims[i]->loc) << "array size must be an integer constant";
      return table_.error();
    }
    if (t->isVoid() || t->isString()) {
      if (report) diags_.error(dims[i]->loc) << "array of " << t->name << " is not allowed";
      return table_.error();
    }
    t = table_.arrayOf(t, *n);
  }
  return t;
}

const Type* TypeResolver::base(const ast::TypeSpec& spec, bool report) {
  using B = ast::TypeSpec::Base;
  switch (spec.base) {
    case B::Builtin: {
      const Type* t = table_.builtin(spec.name);
      if (!t && report) diags_.error(spec.loc) << "invalid type '" << spec.name << "'";
      return t ? t : table_.error();
    }
    case B::Named: {
      const Type* t = table_.typedefType(spec.name);
      if (!t && report) diags_.error(spec.loc) << "unknown type name '" << spec.name << "'";
      return t ? t : table_.error();
    }
    case B::External:
      return external(spec.name, ExternalTypes::Want::Any, spec.loc, report);
    case B::Record:
      if (spec.record->tag.starts_with('$')) {
        auto want = spec.record->isUnion ? ExternalTypes::Want::Union : ExternalTypes::Want::Struct;
        return external(spec.record->tag, want, spec.loc, report);
      }
      return recordBase(spec, report);
    case B::Enum:
      if (spec.enumDef && spec.enumDef->tag.starts_with('$'))
        return external(spec.enumDef->tag, ExternalTypes::Want::Enum, spec.loc, report);
      if (spec.enumDef && spec.enumDef->hasBody) defineEnum(*spec.enumDef);
      return table_.builtin("int");
    case B::Aggr:
      return table_.aggrType();
    case B::Bag:
      return table_.bagType();
  }
  return table_.error();
}

// `$demo.task`, `struct $demo.task`: a type of a loaded symbol database.
const Type* TypeResolver::external(const std::string& name, ExternalTypes::Want want, Location loc, bool report) {
  std::string error = "external type '" + name + "' needs a symbol database: make one with `emmett-symdb IMAGE` "
                      "and load it with -T FILE (or declare the type, a sparse struct with @offset fields)";
  const Type* t = table_.externals() ? table_.externals()->type(name, want, table_, error) : nullptr;
  if (!t && report) diags_.error(loc) << error;
  return t ? t : table_.error();
}

const Type* TypeResolver::recordBase(const ast::TypeSpec& spec, bool report) {
  const ast::RecordDef& def = *spec.record;
  if (!def.hasBody) return table_.recordType(table_.record(def.tag, def.isUnion, def.loc));
  // The same definition is seen again through copies of its TypeSpec (one
  // per declarator); it is laid out once.
  auto it = defs_.find(&def);
  if (it != defs_.end()) return table_.recordType(it->second);
  Record* r = def.tag.empty() ? table_.anonymousRecord(def.isUnion, def.loc)
                              : table_.record(def.tag, def.isUnion, def.loc);
  defs_[&def] = r;
  if (r->complete) {
    if (report) diags_.error(def.loc) << "redefinition of " << (def.isUnion ? "union " : "struct ") << def.tag;
    return table_.recordType(r);
  }
  layout(*r, def);
  return table_.recordType(r);
}

void TypeResolver::layout(Record& r, const ast::RecordDef& def) {
  uint64_t end = 0;
  r.align = 1;
  for (const auto& f : def.fields)
    if (!layoutField(r, f, end)) r.fields.push_back({f.decl.name, table_.error(), 0, f.decl.loc});
  r.size = (end + r.align - 1) / r.align * r.align;
  r.complete = true;
}

bool TypeResolver::layoutField(Record& r, const ast::FieldDecl& f, uint64_t& end) {
  const Type* t = resolve(f.type, f.decl.pointers, f.decl.dims);
  if (t->isError()) return false;
  const std::string& name = f.decl.name;
  if (r.find(name)) {
    diags_.error(f.decl.loc) << "duplicate member '" << name << "'";
    return false;
  }
  if (t->isVoid() || t->isString() || t->kind == Type::Kind::Aggr || t->kind == Type::Kind::Bag) {
    diags_.error(f.decl.loc) << "member '" << name << "' cannot have type " << t->name
                             << (t->isString() ? " (use a char array for text in guest memory)" : "");
    return false;
  }
  if (t->kind == Type::Kind::Record && !t->record->complete) {
    diags_.error(f.decl.loc) << "member '" << name << "' has incomplete type " << t->name;
    return false;
  }
  uint64_t size = typeSize(t), align = typeAlign(t);
  uint64_t offset = 0;
  if (f.offset) {
    auto v = evalConst(*f.offset, table_, this);
    if (!v) {
      diags_.error(f.offset->loc) << "member offset must be an integer constant";
      return false;
    }
    offset = *v;
  } else if (!r.isUnion) {
    offset = (end + align - 1) / align * align;
  }
  if (align > r.align) r.align = align;
  r.fields.push_back({name, t, offset, f.decl.loc});
  if (offset + size > end) end = offset + size;
  return true;
}

void TypeResolver::defineEnum(const ast::EnumDef& def) {
  if (!enumsDone_.insert(&def).second) return;
  uint64_t next = 0;
  for (const auto& item : def.items) {
    if (item.value) {
      auto v = evalConst(*item.value, table_, this);
      if (!v) diags_.error(item.value->loc) << "enum value must be an integer constant";
      else next = *v;
    }
    if (!table_.defineEnumConst(item.name, next, item.loc))
      diags_.error(item.loc) << "redefinition of enum constant '" << item.name << "'";
    ++next;
  }
}

}  // namespace emmett
