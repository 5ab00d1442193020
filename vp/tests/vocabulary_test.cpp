// VP's vocabulary (vp/vocabulary.h) is what the checker does: each word is
// tried in a tiny script at the version it appears in and one below, as a
// call and as a name to define.
#include <catch2/catch.hpp>

#include "vp/src/builtins.h"
#include "vp/tests/harness.h"
#include "vp/vocabulary.h"

namespace {

using vp::Arg;
using vp::Version;
using vp::Word;
using vp::WordKind;

std::string versionForm(Version v) { return "(version \"" + v.str() + "\") "; }

Version below(Version v) { return {v.major, v.minor - 1}; }

// Fault injection on: the destructive built-ins load too (their gate is
// fault_injection_test.cpp's).
vp::Options faultsOn() {
  vp::Options o;
  o.faultInjectionOff.clear();
  return o;
}

bool loads(const std::string& src) {
  return vptest::diagnosticsOf(src, faultsOn()).find("error") == std::string::npos;
}

std::string diagnostics(const std::string& src) { return vptest::diagnosticsOf(src, faultsOn()); }

// Definitions every argument kind can name.
std::string definitions(Version v) {
  std::string d = "(defstring s) (defaggr a 0 0) (defbag b 4) ";
  if (v >= Version{1, 2}) d += "(defshared sh pervm) ";
  return d;
}

std::string argument(Arg a) {
  switch (a) {
    case Arg::Int: return "1";  // also a valid writeint size
    case Arg::Size: return "8";
    case Arg::Str: return "s";
    case Arg::Format: return "\"x\"";
    case Arg::StrVar: return "s";
    case Arg::Aggr: return "a";
    case Arg::Bag: return "b";
    case Arg::Shared: return "sh";
    case Arg::IntKeys: case Arg::StrKeys: return "()";
    case Arg::Reg: return "RAX";
  }
  return "?";
}

// A call of built-in `w` with `n` arguments, in a probe of a script of
// version `v`.
std::string callScript(const Word& w, size_t n, Version v) {
  std::string call = "(" + std::string(w.name);
  for (size_t i = 0; i < n; ++i) call += " " + (i < w.sig.fixed ? argument(w.sig.args[i]) : "0");
  // skipfunction is for a function's entry.
  const char* probe = w.name == "skipfunction" ? "GUEST:ENTER:0x1000" : "VMM1Hz";
  return versionForm(v) + definitions(v) + "(vprobe " + probe + " " + call + "))";
}

std::string defineScript(std::string_view name, Version v) {
  return versionForm(v) + "(definteger " + std::string(name) + ") (vprobe VMM1Hz 0)";
}

}  // namespace

TEST_CASE("every built-in function loads from its version on, with the counts it lists",
          "[vocabulary]") {
  for (const Word& w : vp::kVocabulary) {
    if (w.kind != WordKind::Function && w.kind != WordKind::FunctionAlias) continue;
    INFO(w.name);
    const auto& s = w.sig;
    CHECK(loads(callScript(w, s.minArgs, w.since)));
    CHECK(loads(callScript(w, s.fixed, s.moreSince)));
    if (w.since > vp::kOldestVersion) {
      CHECK_THAT(diagnostics(callScript(w, s.minArgs, below(w.since))),
                 Catch::Contains("needs VP " + w.since.str()));
    }
    if (s.moreSince > w.since && s.fixed > s.minArgs) {
      CHECK_FALSE(loads(callScript(w, s.fixed, below(s.moreSince))));
    }
    if (s.minArgs > 0) {
      CHECK_THAT(diagnostics(callScript(w, s.minArgs - 1, vp::kEngineVersion)),
                 Catch::Contains("' takes "));
    }
    CHECK_THAT(diagnostics(callScript(w, s.maxArgs + 1, vp::kEngineVersion)),
               Catch::Contains("' takes "));
  }
}

TEST_CASE("the engine's built-ins are the vocabulary's functions, by id", "[vocabulary]") {
  for (size_t i = 0; i < static_cast<size_t>(vp::BuiltinId::Count); ++i) {
    auto id = static_cast<vp::BuiltinId>(i);
    vp::BuiltinId found;
    REQUIRE(vp::findBuiltin(vp::builtinInfo(id).name, found));
    CHECK(found == id);
    CHECK(vp::builtinInfo(id).since == vp::builtinWord(id).since);
  }
  vp::BuiltinId alias;
  REQUIRE(vp::findBuiltin("offatstrncpy", alias));
  CHECK(alias == vp::BuiltinId::Offatstrcpy);
}

TEST_CASE("a reserved word cannot be defined from its version on, and can be before",
          "[vocabulary]") {
  for (const Word& w : vp::kVocabulary) {
    if (w.kind == WordKind::Operator) continue;  // not symbols a definition can take
    INFO(w.name);
    std::string at = vptest::diagnosticsOf(defineScript(w.name, w.since));
    if (vp::reservesName(w)) {
      CHECK_THAT(at, Catch::Contains("is a built-in and cannot be redefined"));
      if (w.since > vp::kOldestVersion) CHECK(loads(defineScript(w.name, below(w.since))));
    } else if (vp::isCapitalsName(w.name)) {
      CHECK_THAT(at, Catch::Contains("names in all capitals belong to VProbes"));
    } else {
      CHECK(loads(defineScript(w.name, vp::kEngineVersion)));  // error names, scopes, types
    }
  }
}

TEST_CASE("forms, globals and error names work at their version and not below",
          "[vocabulary]") {
  for (const Word& w : vp::kVocabulary) {
    INFO(w.name);
    std::string name(w.name);
    switch (w.kind) {
      case WordKind::Form:
        if (w.since > vp::kOldestVersion) {
          CHECK_THAT(vptest::diagnosticsOf(versionForm(below(w.since)) +
                                           "(vprobe VMM1Hz (" + name + " 0))"),
                     Catch::Contains("'" + name + "' needs VP " + w.since.str()));
        }
        break;
      case WordKind::Definition:
        CHECK_THAT(vptest::diagnosticsOf("(vprobe VMM1Hz (" + name + " x))"),
                   Catch::Contains("is only allowed at top level"));
        break;
      case WordKind::Global: case WordKind::GlobalAlias:
        CHECK(loads(versionForm(w.since) + "(vprobe VMM1Hz " +
                    (w.sig.result == vp::Result::Str ? "(logstr " : "(logint ") + name + "))"));
        break;
      case WordKind::ErrorName: {
        auto script = [&](Version v) {
          return versionForm(v) + "(vprobe VMM1Hz (try 0 (catch (" + name + ") 0)))";
        };
        CHECK(loads(script(w.since)));
        if (w.since > Version{1, 1}) CHECK_FALSE(loads(script(below(w.since))));
        break;
      }
      case WordKind::Scope:
        CHECK(loads(versionForm(w.since) + "(defshared x " + name + ") (vprobe VMM1Hz 0)"));
        break;
      default: break;
    }
  }
}
