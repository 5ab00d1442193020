#include "vp/src/runtime/context_impl.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "vp/src/builtins.h"
#include "vp/src/quote.h"
#include "vp/src/runtime/error_text.h"

namespace vp {

namespace {

// Output that never ends its line still has to go somewhere.
constexpr size_t kMaxPendingLine = 4096;

}  // namespace

ContextImpl::ContextImpl(ScriptState& script, Target& target, int id,
                         bool isVcpu)
    : script_(script), target_(target), id_(id), isVcpu_(isVcpu) {
  size_t bytes = sizeof(RtCtx) + script.varBytes;
  bytes = (bytes + 63) / 64 * 64;
  void* mem = std::aligned_alloc(64, bytes);
  if (!mem) throw std::bad_alloc();
  std::memset(mem, 0, bytes);
  rt_ = new (mem) RtCtx{};
  rt_->owner = this;
  const Program& p = script.program;
  for (size_t i = 0; i < p.ints.size(); ++i) rtInts(rt_)[i] = p.ints[i].init;
  for (size_t i = 0; i < p.strs.size(); ++i) {
    std::memcpy(strVar(static_cast<uint32_t>(i)), p.strs[i].init.c_str(),
                p.strs[i].init.size() + 1);
  }
  shards_ = script.newShardSet();
}

ContextImpl::~ContextImpl() { std::free(rt_); }

FireStatus ContextImpl::finishFire(bool failed) {
  FireStatus status = FireStatus::Ok;
  std::string errorLine;
  if (failed && rt_->errCode == static_cast<uint32_t>(ErrorCode::Exit)) {
    status = FireStatus::Exit;
  } else if (failed) {
    status = FireStatus::Error;
    errorLine = errorMessage();
  }
  foreach.clear();
  size_t end = out_.rfind('\n');
  if (end == std::string::npos && out_.size() > kMaxPendingLine) end = out_.size() - 1;
  if (end == std::string::npos && errorLine.empty()) return status;
  uint64_t tsc = target_.tsc();
  if (end != std::string::npos) {
    script_.sink.outputFrom(tsc, std::string_view(out_).substr(0, end + 1), probeName());
    out_.erase(0, end + 1);
  }
  if (!errorLine.empty()) script_.sink.errorFrom(tsc, errorLine, probeName());
  return status;
}

void ContextImpl::flush() {
  if (out_.empty()) return;
  script_.sink.outputFrom(target_.tsc(), out_, probeName());
  out_.clear();
}

std::string_view ContextImpl::probeName() const {
  return rt_->probeName ? std::string_view(rt_->probeName) : std::string_view();
}

std::string ContextImpl::errorMessage() const {
  const Expr* where = rt_->errWhere;
  std::string line = script_.program.file;
  if (where) line += ":" + std::to_string(where->loc.line) + ":" + std::to_string(where->loc.col);
  line += ": runtime error: ";
  line += oneLine(describeError(*this, static_cast<ErrorCode>(rt_->errCode), where, rt_->errArg));
  line += " (probe ";
  line += rt_->probeName;
  line += isVcpu_ ? ", vcpu " + std::to_string(id_) + ")" : ", vmx)";
  line += "\n";
  return line;
}

}  // namespace vp
