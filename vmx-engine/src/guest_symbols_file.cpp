#include "vmx-engine/guest_symbols_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "vmx-client/config_file.h"

namespace vmx {

GuestSymbolsFile::GuestSymbolsFile(std::string path,
                                   std::shared_ptr<const vp::GuestSymbols> initial)
    : path_(std::move(path)), symbols_(std::move(initial)) {
  struct stat st;
  if (symbols_ && ::stat(path_.c_str(), &st) == 0) {
    mtimeNs_ = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    size_ = int64_t(st.st_size);
  }
}

bool GuestSymbolsFile::current(std::shared_ptr<const vp::GuestSymbols>& out,
                               std::string& error) {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    error = "cannot read guest symbols " + path_ + ": " + std::strerror(errno) +
            " (for a Linux guest: vmrun getGuestSymbols VMX, after the boot)";
    return false;
  }
  int64_t mtime = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (!symbols_ || mtime != mtimeNs_ || int64_t(st.st_size) != size_) {
    std::string text;
    if (!readTextFile(path_, text, error)) {
      error = "cannot read guest symbols " + path_ + ": " + error;
      return false;
    }
    auto symbols = std::make_shared<vp::GuestSymbols>();
    if (!vp::GuestSymbols::parse(text, path_, *symbols, error)) return false;
    symbols_ = std::move(symbols);
    mtimeNs_ = mtime;
    size_ = int64_t(st.st_size);
  }
  out = symbols_;
  return true;
}

bool GuestSymbolsFile::exists() const {
  struct stat st;
  return ::stat(path_.c_str(), &st) == 0;
}

}  // namespace vmx
