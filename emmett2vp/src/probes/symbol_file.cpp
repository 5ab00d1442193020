#include "emmett2vp/src/probes/symbol_file.h"

namespace emmett {

namespace {
// More than this many bad lines: not a symbol file at all; say no more.
constexpr size_t kMaxBadLines = 11;
}  // namespace

bool SymbolFile::load(uint32_t id, const SourceManager& sm, Diagnostics& diags) {
  std::vector<size_t> bad;
  symbols_ = vp::GuestSymbols::parseAll(sm.text(id), bad, kMaxBadLines);
  for (size_t line : bad)
    diags.error({id, uint32_t(line), 1}) << std::string(vp::GuestSymbols::kMalformed);
  loaded_ = true;
  return bad.empty();
}

}  // namespace emmett
