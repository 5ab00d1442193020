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
    : script_(script), target_(target), id_(id), isVcpu_(isVcpu),
      json_(script.options.format == OutputFormat::Json) {
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
  // Shard sets stay with the script until it unloads: a script without
  // aggregates takes none, so contexts made and dropped (a harness that
  // runs one loaded script many times) cost it nothing.
  if (!p.aggrs.empty()) shards_ = script.newShardSet();
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
  if (json_) return finishJson(status, errorLine);
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
  uint64_t tsc = target_.tsc();
  if (json_) {
    recordLines(tsc, true);
    sendRecords(tsc);
    return;
  }
  script_.sink.outputFrom(tsc, out_, probeName());
  out_.clear();
}

// The finished lines of text after the records become printf records; an
// unfinished line stays for a later fire to end, unless `unfinishedToo`.
void ContextImpl::recordLines(uint64_t tsc, bool unfinishedToo) {
  std::string_view text = std::string_view(out_).substr(recordsEnd_);
  std::string records;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    records += printJson(origin(tsc), text.substr(start, nl - start));
  }
  if (unfinishedToo && start < text.size()) {
    records += printJson(origin(tsc), text.substr(start));
    start = text.size();
  }
  out_.replace(recordsEnd_, start, records);
  recordsEnd_ += records.size();
}

void ContextImpl::addRecord(std::string_view record) {
  recordLines(target_.tsc(), false);
  out_.insert(recordsEnd_, record);
  recordsEnd_ += record.size();
}

void ContextImpl::sendRecords(uint64_t tsc) {
  if (recordsEnd_ == 0) return;
  script_.sink.recordsFrom(tsc, std::string_view(out_).substr(0, recordsEnd_), probeName());
  out_.erase(0, recordsEnd_);
  recordsEnd_ = 0;
}

// finishFire for JSON output: the same lines, as records, the error last.
FireStatus ContextImpl::finishJson(FireStatus status, std::string_view errorLine) {
  uint64_t tsc = target_.tsc();
  recordLines(tsc, false);
  if (out_.size() - recordsEnd_ > kMaxPendingLine) recordLines(tsc, true);
  if (!errorLine.empty()) {
    if (errorLine.back() == '\n') errorLine.remove_suffix(1);
    std::string record = errorJson(origin(tsc), errorLine);
    out_.insert(recordsEnd_, record);
    recordsEnd_ += record.size();
  }
  sendRecords(tsc);
  return status;
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
