// vprobe.guestSyms, read when a script loads rather than only with the
// .vmx: a Linux guest's symbols come from the running guest (`vmrun
// getGuestSymbols`, after the boot), and with KASLR they change every
// boot. The file is parsed again only when its size or time changed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vp/guest_symbols.h"

namespace vmx {

class GuestSymbolsFile {
 public:
  // `path` absolute; `initial` its contents as the .vmx read them (may be
  // null: the file did not exist yet).
  GuestSymbolsFile(std::string path, std::shared_ptr<const vp::GuestSymbols> initial);
  // The symbols as the file now holds them. False with `error` ("cannot
  // read guest symbols PATH: ...", or the parser's "PATH:LINE: ...") when
  // it is missing or malformed.
  bool current(std::shared_ptr<const vp::GuestSymbols>& out, std::string& error);
  // Whether the file is there (a load without it still runs scripts that
  // name no guest symbol).
  bool exists() const;

 private:
  std::string path_;
  std::shared_ptr<const vp::GuestSymbols> symbols_;
  int64_t mtimeNs_ = -1;
  int64_t size_ = -1;
};

}  // namespace vmx
