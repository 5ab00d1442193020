// Diagnostics are collected, not thrown: each pass adds what it finds and
// the driver stops between passes when there are errors. Rendering follows
// the compiler convention "file:line:col: error: message", then the source
// line and a caret under the column.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "emmett2vp/src/support/location.h"
#include "emmett2vp/src/support/source_manager.h"

namespace emmett {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  Location loc;
  std::string message;
};

class Diagnostics {
 public:
  // Streams the message: diags.error(loc) << "unknown identifier '" << n << "'";
  class Builder {
   public:
    Builder(Diagnostics& d, Severity s, Location loc) : d_(d), s_(s), loc_(loc) {}
    Builder(const Builder&) = delete;
    ~Builder() { d_.add(s_, loc_, out_.str()); }
    template <typename T>
    Builder& operator<<(const T& v) {
      out_ << v;
      return *this;
    }

   private:
    Diagnostics& d_;
    Severity s_;
    Location loc_;
    std::ostringstream out_;
  };

  Builder error(Location loc) { return Builder(*this, Severity::Error, loc); }
  Builder warning(Location loc) { return Builder(*this, Severity::Warning, loc); }
  void add(Severity s, Location loc, std::string message);

  bool hasErrors() const { return errors_ > 0; }
  size_t errorCount() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return list_; }
  // Every diagnostic, rendered with source line and caret, in report order.
  std::string render(const SourceManager& sm) const;
  // Stops collecting after this many errors (fuzzed input can produce one
  // per byte); the last one says so.
  static constexpr size_t kMaxErrors = 50;

 private:
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
};

// One diagnostic: header line, then quoted source and caret when known.
std::string renderDiagnostic(const Diagnostic& d, const SourceManager& sm);

}  // namespace emmett
