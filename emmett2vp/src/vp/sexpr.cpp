#include "emmett2vp/src/vp/sexpr.h"

#include <cstdio>
#include <stdexcept>

namespace emmett {

SExpr SExpr::num(uint64_t v) {
  // 64-bit addresses read better in hexadecimal, counts and constants in
  // decimal (masks use hex() explicitly).
  if (v < (uint64_t{1} << 32)) return sym(std::to_string(v));
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return sym(buf);
}

SExpr SExpr::hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return sym(buf);
}

SExpr SExpr::str(const std::string& text) {
  std::string q = "\"";
  for (char c : text) {
    if (c == '"') q += "\\\"";
    else if (c == '\\') q += "\\\\";
    else if (c == '\n') q += "\\n";
    else if (c == '\t') q += "\\t";
    else q += c;  // any other byte stands for itself in a VP literal
  }
  q += '"';
  return sym(std::move(q));
}

bool SExpr::isNumber(uint64_t& v) const {
  if (kind != Kind::Atom || atom.empty() || !(atom[0] >= '0' && atom[0] <= '9')) return false;
  // The compiler writes these atoms itself; still, an atom that does not
  // parse whole is not a number rather than an exception.
  size_t used = 0;
  try {
    v = std::stoull(atom, &used, 0);
  } catch (const std::exception&) {
    return false;
  }
  return used == atom.size();
}

}  // namespace emmett
