#include "emmett2vp/src/support/source_manager.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace emmett {

SourceManager::SourceManager() {
  // Id 0 stands for "no file" so that a default Location is recognizable.
  files_.push_back(std::make_unique<File>());
}

uint32_t SourceManager::add(std::string name, std::string text) {
  auto f = std::make_unique<File>();
  f->name = std::move(name);
  f->text = std::move(text);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

const std::string& SourceManager::name(uint32_t id) const {
  return files_.at(id < files_.size() ? id : 0)->name;
}

const std::string& SourceManager::text(uint32_t id) const {
  return files_.at(id < files_.size() ? id : 0)->text;
}

std::string_view SourceManager::lineText(uint32_t id, uint32_t line) const {
  if (id == 0 || id >= files_.size() || line == 0) return {};
  const File& f = *files_[id];
  if (f.lineStarts.empty()) {
    f.lineStarts.push_back(0);
    for (size_t i = 0; i < f.text.size(); ++i)
      if (f.text[i] == '\n') f.lineStarts.push_back(static_cast<uint32_t>(i + 1));
  }
  if (line > f.lineStarts.size()) return {};
  size_t begin = f.lineStarts[line - 1];
  size_t end = f.text.find('\n', begin);
  if (end == std::string::npos) end = f.text.size();
  if (end > begin && f.text[end - 1] == '\r') --end;
  return std::string_view(f.text).substr(begin, end - begin);
}

bool readFile(const std::string& path, std::string& out) {
  // ifstream opens a directory and reads it as an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  out = ss.str();
  return true;
}

}  // namespace emmett
