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
  // Compiles `p` into at most `maxBytes` of code. On failure returns null
  // and sets `needed` to the size the code would take.
  // `shared` is the script's array of shared integers.
  static std::unique_ptr<JitCode> compile(const Program& p,
                                          std::atomic<uint64_t>* shared,
                                          uint32_t maxBytes, size_t& needed);
  virtual ~JitCode() = default;

  // Runs `probeCode(index)` on `c`; returns 0, or 1 when it raised an
  // error. A plain function pointer, so a fire costs no virtual call.
  using Entry = uint64_t (*)(RtCtx*, const void*);
  virtual Entry entry() const = 0;
  virtual const void* probeCode(size_t index) const = 0;
  virtual size_t size() const = 0;
  // Bytes of code per function, in Program::functions order.
  virtual const std::vector<size_t>& functionSizes() const = 0;
};

}  // namespace vp
