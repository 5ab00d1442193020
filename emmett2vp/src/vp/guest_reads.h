// Spells out the deferred GuestRead nodes (sexpr.h) once the VP version the
// whole script needs is known.
//
// VP 1.1 has sized reads, `(getguest A N)`. VP 1.0 only reads 8 bytes, and
// those fail when the bytes after a narrow value lie on an unmapped page, so
// a narrow VP 1.0 read takes the 8 bytes at A when they stay within A's
// 4 KiB page, and otherwise the 8 bytes that end with the value (at
// A-(8-N), in A's page), shifted down:
//
//   (do (setint getguest.addr A)
//       (cond ((<= (& getguest.addr 4095) 4088) (& (getguest getguest.addr) MASK))
//             (1 (>> (getguest (- getguest.addr 8-N)) 8*(8-N)))))
//
// The read stays inline rather than in a shared helper function so that a
// runtime error is reported at the read's own Emmett line (the source
// map). A constant address gets only the branch it needs; an address that
// is a script variable, or one plus a constant, is repeated instead of
// kept in the temporary (smaller code).
#pragma once

#include "emmett2vp/src/vp/sexpr.h"
#include "vp/version.h"

namespace emmett {

class GuestReadSpeller {
 public:
  // The per-thread integer holding a narrow read's address. VP variables
  // belong to the execution context, and the address (with any reads inside
  // it) is evaluated before it is set, so one temporary serves every read.
  static constexpr const char* kAddrTemp = "getguest.addr";

  explicit GuestReadSpeller(vp::Version version) : version_(version) {}

  // `form` with every GuestRead spelled out (locations kept).
  SExpr spell(const SExpr& form);
  // Whether a spelled form uses kAddrTemp (the script must define it).
  bool usesAddrTemp() const { return usesAddrTemp_; }

 private:
  SExpr read(const SExpr& e);
  SExpr narrow10(SExpr addr, unsigned n);

  vp::Version version_;
  bool usesAddrTemp_ = false;
};

}  // namespace emmett
