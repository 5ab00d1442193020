// The JIT: compiles every probe body and function of a checked program into
// one translation cache of x86-64 code, written while empty and then made
// read+execute only.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vp/src/ast.h"
#include "vp/src/runtime/rt_ctx.h"

namespace vp {

class JitCode {
 public:
  // How much code a program takes: per function (Program::functions
  // order) and in all, the runtime glue included. The glue comes first in
  // the cache, then the functions in order.
  struct Measure {
    size_t total = 0;
    std::vector<size_t> functionSizes;
  };

  // Compiles `p` into at most `maxBytes` of code. On failure returns null;
  // `measured` is filled either way (for a refused program, with the size
  // it would take). `shared` is the script's array of shared integers.
  static std::unique_ptr<JitCode> compile(const Program& p,
                                          std::atomic<uint64_t>* shared,
                                          uint32_t maxBytes, Measure& measured);
  virtual ~JitCode() = default;

  // Runs `probeCode(index)` on `c`; returns 0, or 1 when it raised an
  // error. A plain function pointer, so a fire costs no virtual call.
  using Entry = uint64_t (*)(RtCtx*, const void*);
  virtual Entry entry() const = 0;
  virtual const void* probeCode(size_t index) const = 0;
  virtual size_t size() const = 0;
};

}  // namespace vp
