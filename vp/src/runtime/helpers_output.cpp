// Printing built-ins: logstr, logint, printf, sprintf, writeint; and strcmp.
#include <cstring>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/quote.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

namespace {

// Output a thread may hold before its fires have to drop text: at most
// this much is pending (lines are committed at the end of every fire).
constexpr size_t kMaxPending = 1 << 20;

bool fits(ContextImpl& ctx, size_t more) {
  return ctx.out().size() + more <= kMaxPending;
}

// The format and arguments of a printf/sprintf call: a literal format is
// checked at load time; any other is checked here, against the types the
// checker saw for the arguments.
const Format* formatFor(RtCtx* c, const Expr* e, size_t firstArgKid,
                        const uint64_t*& args, Format& scratch) {
  ContextImpl& ctx = *c->owner;
  if (e->imm) return &ctx.script().program.formats[e->imm - 1];
  const char* text = reinterpret_cast<const char*>(args[0]);
  ++args;
  std::string err = parseFormat(text, scratch);
  size_t nargs = e->kids.size() - firstArgKid - 1;
  std::vector<bool> isStr = scratch.argIsString();
  if (err.empty() && isStr.size() != nargs) {
    err = "format has " + scratch.describeArgs() + " but " + std::to_string(nargs) +
          (nargs == 1 ? " argument" : " arguments");
  }
  for (size_t i = 0; err.empty() && i < nargs; ++i) {
    bool argIsStr = e->kids[firstArgKid + 1 + i]->type == Type::Str;
    if (isStr[i] != argIsStr) {
      err = scratch.argRole(i) + " of the format expects " +
            (argIsStr ? "an integer" : "a string");
    }
  }
  if (!err.empty()) {
    ctx.detail = "bad format " + quoted(text) + ": " + err;
    return nullptr;
  }
  return &scratch;
}

// A '*' argument out of range: a FormatError, as a bad format is.
RtResult badStar(RtCtx* c, const Expr* e, const std::string& err) {
  c->owner->detail = err;
  return fail(c, ErrorCode::Format, e);
}

}  // namespace

RtResult logstr(RtCtx* c, const Expr* e, const char* s) {
  VP_CHARGE(c, e, BuiltinId::Logstr);
  ContextImpl& ctx = *c->owner;
  size_t n = strnlen(s, kStrBytes);
  if (!fits(ctx, n)) return {0, 0};
  ctx.out().append(s, n);
  return {1, 0};
}

RtResult logint(RtCtx* c, const Expr* e, uint64_t v) {
  VP_CHARGE(c, e, BuiltinId::Logint);
  ContextImpl& ctx = *c->owner;
  if (!fits(ctx, 24)) return {0, 0};
  ctx.out() += std::to_string(v);
  return {1, 0};
}

RtResult printf(RtCtx* c, const Expr* e, const uint64_t* args) {
  VP_CHARGE(c, e, BuiltinId::Printf);
  Format scratch;
  const Format* f = formatFor(c, e, 0, args, scratch);
  if (!f) return fail(c, ErrorCode::Format, e);
  ContextImpl& ctx = *c->owner;
  size_t before = ctx.out().size();
  std::string err = renderFormat(*f, args, ctx.out());
  if (!err.empty()) {
    ctx.out().resize(before);
    return badStar(c, e, err);
  }
  if (ctx.out().size() > kMaxPending) {
    ctx.out().resize(before);
    return {0, 0};
  }
  return {1, 0};
}

RtResult sprintf(RtCtx* c, const Expr* e, char* dest, const uint64_t* args) {
  VP_CHARGE(c, e, BuiltinId::Sprintf);
  Format scratch;
  const Format* f = formatFor(c, e, 1, args, scratch);
  if (!f) return fail(c, ErrorCode::Format, e);
  std::string text;
  std::string err = renderFormat(*f, args, text);
  if (!err.empty()) return badStar(c, e, err);
  setstr(dest, text.c_str());
  return {1, 0};
}

RtResult strcmp(RtCtx* c, const Expr* e, const char* a, const char* b) {
  VP_CHARGE(c, e, BuiltinId::Strcmp);
  int r = std::strcmp(a, b);
  return {r < 0 ? ~uint64_t{0} : r > 0 ? 1u : 0u, 0};
}

RtResult writeint(RtCtx* c, const Expr* e, uint64_t value, uint64_t nbytes) {
  VP_CHARGE(c, e, BuiltinId::Writeint);
  ContextImpl& ctx = *c->owner;
  if (nbytes < 1 || nbytes > 8) {
    ctx.detail = "writeint: byte count " + std::to_string(nbytes) + " is not 1 to 8";
    return fail(c, ErrorCode::Format, e);
  }
  if (!fits(ctx, nbytes)) return {0, 0};
  for (uint64_t i = 0; i < nbytes; ++i) ctx.out().push_back(static_cast<char>(value >> (8 * i)));
  return {1, 0};
}

}  // namespace vp::rt
