#include "emmett2vp/src/vp/mangler.h"

#include <array>
#include <cstdio>

#include "vp/vocabulary.h"

namespace emmett {

namespace {
// Not VP's words, but always kept out of generated names, so that output
// reads unambiguously and stays as earlier compilers printed it.
constexpr std::array<std::string_view, 4> kAlsoAvoided = {"and", "or", "not", "if"};
}  // namespace

bool isVpReserved(std::string_view name) {
  if (vp::isReservedAt(name, vp::kEngineVersion)) return true;
  // The words VP uses inside its forms (scopes, type names) are legal
  // names, but a name spelled like one would read as it.
  if (vp::isKind(name, vp::WordKind::Scope) || vp::isKind(name, vp::WordKind::TypeName)) return true;
  for (auto w : kAlsoAvoided)
    if (w == name) return true;
  return false;
}

std::string fitName(std::string name) {
  if (name.size() <= 63) return name;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, ".%08llx", static_cast<unsigned long long>(h & 0xffffffffull));
  std::string fitted = name.substr(0, 54) + buf;
  // The cut may drop every lowercase letter ("ABC...Z_tail"), and VP
  // reserves names in all capitals.
  if (isVpReserved(fitted)) fitted = "u." + name.substr(0, 52) + buf;
  return fitted;
}

std::string vpName(std::string_view n) {
  std::string s(n);
  if (isVpReserved(s)) s = "u." + s;
  return fitName(std::move(s));
}

std::string vpLocalName(std::string_view owner, std::string_view name) {
  std::string s = std::string(owner) + "." + std::string(name);
  if (isVpReserved(s)) s += ".l";
  return fitName(std::move(s));
}

}  // namespace emmett
