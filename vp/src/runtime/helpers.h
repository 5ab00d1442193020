// The runtime functions compiled code calls, and the interpreter calls too,
// so both back ends share one implementation of everything but integer
// arithmetic and control flow. Each takes the RtCtx and the expression it
// serves (for error positions), charges the built-in's cost to the fire's
// budget, and returns RtResult {value, failed}: when failed, ctx->errCode
// says why and the caller raises it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vp/src/runtime/rt_ctx.h"

namespace vp::rt {

// Sets up the error and returns {0, 1}.
RtResult fail(RtCtx* c, ErrorCode code, const Expr* where, uint64_t arg = 0);

// Built-in globals: e->index is the Global. Fetches the group on first use.
RtResult global(RtCtx* c, const Expr* e);
RtResult tsc(RtCtx* c, const Expr* e);

// Strings: copy with truncation to 255 bytes (dest may equal src).
void setstr(char* dest, const char* src);

RtResult logstr(RtCtx* c, const Expr* e, const char* s);
RtResult logint(RtCtx* c, const Expr* e, uint64_t v);
// args: the conversion arguments (integers or string pointers); when the
// format is not a literal, args[0] is the format string.
RtResult printf(RtCtx* c, const Expr* e, const uint64_t* args);
RtResult sprintf(RtCtx* c, const Expr* e, char* dest, const uint64_t* args);
RtResult strcmp(RtCtx* c, const Expr* e, const char* a, const char* b);
RtResult writeint(RtCtx* c, const Expr* e, uint64_t value, uint64_t nbytes);

RtResult getguest(RtCtx* c, const Expr* e, uint64_t addr, uint64_t nbytes);
RtResult getguestphys(RtCtx* c, const Expr* e, uint64_t addr);
RtResult getgueststr(RtCtx* c, const Expr* e, char* dest, uint64_t n, uint64_t addr);
// At most `depth` addresses (RIP the first); 0: as many as fit.
RtResult gueststack(RtCtx* c, const Expr* e, char* dest, uint64_t depth);
RtResult getsystemtime(RtCtx* c, const Expr* e);
RtResult exit(RtCtx* c, const Expr* e);
RtResult offatret(RtCtx* c, const Expr* e, uint64_t addr);
RtResult offatseg(RtCtx* c, const Expr* e, uint64_t addr);
RtResult offatstrcpy(RtCtx* c, const Expr* e, uint64_t addr, uint64_t fn);

// keys: integer keys, then string pointers, then the value.
RtResult aggr(RtCtx* c, const Expr* e, const uint64_t* keys);
RtResult logaggr(RtCtx* c, const Expr* e);
RtResult clearaggr(RtCtx* c, const Expr* e);
RtResult printa(RtCtx* c, const Expr* e, const char* format);
// What is wrong with a printa format for an aggregate of nInt integer and
// nStr string keys, or "" (the checker calls it for literal formats).
std::string checkPrintaFormat(std::string_view format, uint32_t nInt, uint32_t nStr);
RtResult baginsert(RtCtx* c, const Expr* e, uint64_t key, uint64_t value);
// As baginsert, but a full bag is the runtime error BagFull (VP 1.2).
RtResult bagput(RtCtx* c, const Expr* e, uint64_t key, uint64_t value);
RtResult bagremove(RtCtx* c, const Expr* e, uint64_t key);

// Shared integers (e->var.index): sequentially consistent.
RtResult fetchadd(RtCtx* c, const Expr* e, uint64_t delta);
RtResult cmpxchg(RtCtx* c, const Expr* e, uint64_t expected, uint64_t desired);

// Destructive built-ins (VP 1.3, helpers_inject.cpp). setgpr: e->index
// is the register's Global. skipfunction: `hasValue` 0 leaves RAX alone.
RtResult setgpr(RtCtx* c, const Expr* e, uint64_t value);
RtResult setguest(RtCtx* c, const Expr* e, uint64_t addr, uint64_t nbytes, uint64_t value);
RtResult skipfunction(RtCtx* c, const Expr* e, uint64_t value, uint64_t hasValue);
RtResult genmce(RtCtx* c, const Expr* e, uint64_t status, uint64_t addr, uint64_t bank);

// bagforeach: pushes a snapshot of the bag and returns its size; item()
// reads pair i of the innermost snapshot; pop() drops it.
RtResult foreachBegin(RtCtx* c, const Expr* e);
uint64_t foreachKey(RtCtx* c, uint64_t i);
uint64_t foreachValue(RtCtx* c, uint64_t i);
void foreachEnd(RtCtx* c);

// Opens a try frame for Try node `e`; compiled code passes where to resume
// (rsp, rbp, handler address). Fails with StackError past 16 nested tries.
RtResult tryEnter(RtCtx* c, const Expr* e, uint64_t rsp, uint64_t rbp, uint64_t handler);

// The innermost try frame that catches c->errCode (frames that do not are
// dropped), or null when the fire ends. Restores the VP stack accounting.
TryFrame* unwind(RtCtx* c);

}  // namespace vp::rt
