// Owns the text of every file the compilation read (the main file, its
// includes, the symbol file), so that diagnostics can quote the offending
// line long after the preprocessor is done with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace emmett {

class SourceManager {
 public:
  SourceManager();
  // Registers a file's text; returns its id (never 0).
  uint32_t add(std::string name, std::string text);
  const std::string& name(uint32_t id) const;
  const std::string& text(uint32_t id) const;
  // The text of line `line` (1-based) without its newline; empty if none.
  std::string_view lineText(uint32_t id, uint32_t line) const;

 private:
  struct File {
    std::string name;
    std::string text;
    mutable std::vector<uint32_t> lineStarts;  // built on first lineText()
  };
  std::vector<std::unique_ptr<File>> files_;
};

// Reads a whole file; false if it cannot be read.
bool readFile(const std::string& path, std::string& out);

}  // namespace emmett
