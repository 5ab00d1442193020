#include "vp/src/runtime/error_text.h"

#include <array>
#include <cstdio>

#include "vp/src/ast.h"
#include "vp/src/runtime/context_impl.h"

namespace vp {

namespace {

#define VP_ERROR_NAME(id, name, since) #name,
constexpr std::array<std::string_view, static_cast<size_t>(ErrorCode::Count)>
    kNames{"", VP_ERRORS(VP_ERROR_NAME) "ExitRequest"};
#undef VP_ERROR_NAME

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string_view errorName(ErrorCode code) {
  return kNames[static_cast<size_t>(code)];
}

bool findErrorName(std::string_view name, ErrorCode& out) {
  for (size_t i = 1; i < static_cast<size_t>(ErrorCode::Exit); ++i) {
    if (kNames[i] == name) {
      out = static_cast<ErrorCode>(i);
      return true;
    }
  }
  return false;
}

std::string describeError(const ContextImpl& ctx, ErrorCode code,
                          const Expr* where, uint64_t arg) {
  const Program& p = ctx.script().program;
  switch (code) {
    case ErrorCode::MemAccess:
      return "guest memory at " + hex(arg) + " is not mapped";
    case ErrorCode::Divide:
      return where && where->op == Op::Mod ? "modulo by zero" : "division by zero";
    case ErrorCode::Stack:
      return "VP stack exhausted (64 KiB per fire): recursion too deep";
    case ErrorCode::Budget:
      return "probe exceeded its time budget (about 50 us per fire)";
    case ErrorCode::BagEmpty:
      return "bag '" + p.bags[where->index].name + "' holds no pair with key " + hex(arg);
    case ErrorCode::AggrFull:
      return "aggregate '" + p.aggrs[where->index].name +
             "' is full (65536 buckets per thread); sample dropped";
    case ErrorCode::BagFull:
      return "bag '" + p.bags[where->index].name + "' is full; the pair with key " + hex(arg) + " was not inserted";
    case ErrorCode::Format:
      return ctx.detail;
    case ErrorCode::VcpuState:
      if (arg == kDetailArg) return ctx.detail;
      return "VCPU state (" + std::string(globalInfo(static_cast<Global>(arg)).name) +
             ") is not available on non-vcpu vmx threads";
    case ErrorCode::Decode:
      return ctx.detail;
    default:
      return "internal error " + std::to_string(static_cast<unsigned>(code));
  }
}

}  // namespace vp
