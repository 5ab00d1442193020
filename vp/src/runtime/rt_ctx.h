// The per-thread execution state as compiled code sees it. r15 points at an
// RtCtx while probe code runs; the JIT addresses its fields with offsetof,
// so this is a standard-layout struct and the VP variables follow it in the
// same allocation (ints, then 256-byte strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "vp/globals.h"
#include "vp/vocabulary.h"

namespace vp {

class ContextImpl;
struct Expr;

// What went wrong in a fire. The catch names of VP 1.1 map to these.
// The errors `catch` names are VP's vocabulary (VP_ERRORS); Exit is how
// exit unwinds, which no catch sees.
enum class ErrorCode : uint32_t {
  None,
#define VP_ERROR_CODE(id, ...) id,
  VP_ERRORS(VP_ERROR_CODE)
#undef VP_ERROR_CODE
  Exit, Count
};

// A `try` in progress: where to resume when an error it catches is raised.
struct TryFrame {
  uint64_t rsp, rbp;    // JIT: the frame to resume in
  uint64_t handler;     // JIT: code address of the dispatch to handlers
  uint64_t stackUsed;   // VP stack accounting at entry
  uint32_t mask;        // errors caught by any handler
  uint32_t foreachDepth;  // bagforeach loops open at entry
};

inline constexpr unsigned kMaxTryDepth = 16;

// errArg of a VcpuState error whose message is ContextImpl::detail (a
// destructive built-in the vCPU could not honour) rather than a global's.
inline constexpr uint64_t kDetailArg = UINT64_MAX;

struct alignas(16) RtCtx {
  int64_t budget;        // time budget left in this fire
  uint64_t stackUsed;    // VP stack bytes in use
  uint64_t abortRsp;     // rsp inside the entry trampoline
  uint32_t valid;        // RegGroup bits fetched this fire
  uint32_t errCode;      // ErrorCode of the error being raised
  const Expr* errWhere;  // the expression that failed
  uint64_t errArg;       // detail for the message (address, global...)
  uint64_t args[10];     // ARG0-ARG9
  const char* probeName; // PROBENAME
  uint64_t cache[kCachedSlots];  // register groups, see globals.h
  uint32_t tryDepth;
  uint32_t budgetRefills;  // BudgetError catches used this fire
  uint64_t fireStamp;      // TSC of the fire's first aggregate update, or 0
  uint32_t loadOrUnload;   // a VMMLoad/VMMUnload/VMXLoad/VMXUnload fire
  uint32_t functionEntry;  // a GUEST:fn or GUEST:ENTER: fire (skipfunction)
  TryFrame tries[kMaxTryDepth];
  ContextImpl* owner;
};

static_assert(std::is_standard_layout_v<RtCtx>);
static_assert(sizeof(RtCtx) % 16 == 0);

inline uint64_t* rtInts(RtCtx* c) {
  return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(c) + sizeof(RtCtx));
}

// What a helper returns to compiled code: the value in rax, and in rdx
// non-zero when the fire must raise ctx->errCode.
struct RtResult {
  uint64_t value;
  uint64_t failed;
};

}  // namespace vp
