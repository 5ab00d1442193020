#include "vp/src/jit/jit.h"

#include "vp/src/jit/emitter.h"

namespace vp {

namespace {

class JitCodeImpl final : public JitCode {
 public:
  explicit JitCodeImpl(std::unique_ptr<Emitter> e) : e_(std::move(e)) {}

  Entry entry() const override { return e_->entry(); }
  const void* probeCode(size_t index) const override { return e_->probeCode(index); }
  size_t size() const override { return e_->getSize(); }

 private:
  std::unique_ptr<Emitter> e_;
};

// Big enough for any program the checker accepts (32 probes, bounded
// nesting); used only to tell the user how much a refused script needs.
constexpr size_t kMeasureBytes = size_t{64} << 20;

}  // namespace

std::unique_ptr<JitCode> JitCode::compile(const Program& p, std::atomic<uint64_t>* shared,
                                          uint32_t maxBytes, Measure& measured) {
  try {
    auto e = std::make_unique<Emitter>(p, shared, maxBytes);
    e->compileAll();
    e->ready();
    e->setProtectModeRE();  // never writable and executable at once
    measured = {e->getSize(), e->functionSizes};
    return std::make_unique<JitCodeImpl>(std::move(e));
  } catch (const Xbyak::Error&) {
  }
  try {
    Emitter measure(p, shared, kMeasureBytes);
    measure.compileAll();
    measured = {measure.getSize(), measure.functionSizes};
  } catch (const Xbyak::Error&) {
    measured = {kMeasureBytes, {}};
  }
  return nullptr;
}

}  // namespace vp
