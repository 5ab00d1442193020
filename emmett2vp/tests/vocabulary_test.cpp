// Emmett takes its VP facts from VP's vocabulary (vp/vocabulary.h): the
// names the mangler avoids, and the built-ins it calls by VP's name.
#include <catch2/catch.hpp>

#include "emmett2vp/src/sema/builtins.h"
#include "emmett2vp/src/vp/mangler.h"
#include "vp/vocabulary.h"

namespace {

// What the engine's checker refuses as a definition name (at any version).
bool engineRefuses(std::string_view name) { return vp::isReservedAt(name, vp::kEngineVersion); }

}  // namespace

TEST_CASE("the mangler never produces a name VP reserves", "[vocabulary]") {
  for (const auto& w : vp::kVocabulary) {
    INFO(w.name);
    std::string mangled = emmett::vpName(w.name);
    CHECK_FALSE(engineRefuses(mangled));
    CHECK_FALSE(engineRefuses(emmett::vpLocalName(w.name, w.name)));
    if (vp::reservesName(w) || vp::isCapitalsName(w.name)) CHECK(emmett::isVpReserved(w.name));
  }
  // Cut to 63 bytes, capitals and digits only (the fuzz-found case).
  std::string capitals = "ABC" + std::string(60, 'Z') + "_tail";
  CHECK_FALSE(engineRefuses(emmett::vpName(capitals)));
  CHECK(emmett::vpName(capitals).size() <= 63);
}

TEST_CASE("Emmett's built-ins that are VP's take VP's arguments and version", "[vocabulary]") {
  for (const auto& w : vp::kVocabulary) {
    if (w.kind != vp::WordKind::Function && w.kind != vp::WordKind::FunctionAlias) continue;
    const emmett::BuiltinFunc* b = emmett::findBuiltinFunc(w.name);
    if (!b) continue;  // aggr, bags: Emmett syntax, not calls
    INFO(w.name);
    CHECK(b->since == w.since);
    CHECK(b->minArgs == w.sig.minArgs);
    CHECK(b->variadic == w.sig.variadic());
    CHECK(b->args.size() >= w.sig.fixed);  // logaggr(a, 1) adds one
  }
  CHECK(emmett::findBuiltinFunc("getvmcs"));  // Emmett's own
  CHECK_FALSE(vp::findWord("getvmcs"));
}

TEST_CASE("every VP error name is one a catch clause accepts", "[vocabulary]") {
  for (const auto& w : vp::kVocabulary) {
    if (w.kind != vp::WordKind::ErrorName) continue;
    CHECK(emmett::engineErrorName(w.name) == w.name);
    CHECK(std::string_view(emmett::engineErrorNames()).find(w.name) != std::string_view::npos);
  }
}
