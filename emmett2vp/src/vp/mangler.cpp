#include "emmett2vp/src/vp/mangler.h"

#include <array>
#include <cstdio>

namespace emmett {

namespace {
constexpr std::array<std::string_view, 57> kVpWords = {
    "version", "definteger", "defstring", "defaggr", "defbag", "defun", "vprobe", "defshared",
    "setint", "setstr", "cond", "do", "let", "while", "dowhile", "for", "break", "continue",
    "return", "try", "catch", "bagforeach", "logstr", "logint", "printf", "sprintf", "strcmp",
    "getguest", "getgueststr", "gueststack", "getguestphys", "getsystemtime", "exit", "offatret",
    "offatseg", "offatstrcpy", "offatstrncpy", "aggr", "logaggr", "clearaggr", "baginsert",
    "bagput", "bagremove", "fetchadd", "cmpxchg", "writeint", "printa", "pervm", "pervmk", "perhost",
    "integer", "string", "none", "and", "or", "not", "if"};
}  // namespace

bool isVpReserved(std::string_view name) {
  bool letter = false, lower = false;
  for (char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letter = true;
    if (c >= 'a' && c <= 'z') lower = true;
  }
  if (letter && !lower) return true;
  for (auto w : kVpWords)
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
