// The VP program under construction: s-expressions, plus one deferred node,
// GuestRead, whose spelling depends on the VP version the whole script ends
// up needing (known only after lowering everything): VP 1.1's
// `(getguest ADDR N)`, or VP 1.0's 8-byte getguest and a mask.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emmett2vp/src/support/location.h"

namespace emmett {

struct SExpr {
  enum class Kind : uint8_t { Atom, List, GuestRead };
  Kind kind = Kind::Atom;
  std::string atom;
  std::vector<SExpr> items;  // List: the elements; GuestRead: the address
  uint8_t readSize = 8;      // GuestRead
  bool readSigned = false;   // GuestRead: sign-extend a narrow read
  // The Emmett code this form was lowered from (file 0: none of its own;
  // it belongs to the nearest enclosing form that has one). The printer
  // turns these into the VP-to-Emmett source map.
  Location loc;

  static SExpr sym(std::string s) {
    SExpr e;
    e.atom = std::move(s);
    return e;
  }
  static SExpr num(uint64_t v);
  static SExpr hex(uint64_t v);  // masks and sign bits read better in hex
  static SExpr str(const std::string& text);  // a quoted VP string literal
  static SExpr list(std::vector<SExpr> items) {
    SExpr e;
    e.kind = Kind::List;
    e.items = std::move(items);
    return e;
  }
  static SExpr call(std::string head, std::vector<SExpr> args) {
    args.insert(args.begin(), sym(std::move(head)));
    return list(std::move(args));
  }
  static SExpr guestRead(SExpr addr, uint8_t size, bool isSigned) {
    SExpr e;
    e.kind = Kind::GuestRead;
    e.items.push_back(std::move(addr));
    e.readSize = size;
    e.readSigned = isSigned;
    return e;
  }
  bool isList(const char* head) const { return kind == Kind::List && !items.empty() && items[0].atom == head; }
  bool isNumber(uint64_t& v) const;
};

}  // namespace emmett
