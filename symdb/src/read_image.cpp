// readImage and readImageMemory: what emmett-symdb reads a database from.
// An ELF image gives its DWARF (or its .BTF section without DWARF); a file
// that starts with BTF's magic is raw BTF, as /sys/kernel/btf/vmlinux is.
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "symdb/src/btf_reader.h"
#include "symdb/src/dwarf_context.h"

namespace symdb {
namespace {

// "guests/demo/demo.elf" is module "demo".
std::string moduleName(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  size_t dot = base.find('.');
  return dot == 0 || dot == std::string::npos ? base : base.substr(0, dot);
}

bool startsWithBtf(int fd) {
  char magic[2] = {};
  return pread(fd, magic, sizeof magic, 0) == 2 && btf::isBtf({magic, sizeof magic});
}

bool readRawBtf(const std::string& path, Database& db, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = path + ": error: cannot read the file";
    return false;
  }
  return readImageMemory(bytes.data(), bytes.size(), path, db, error);
}

}  // namespace

bool readImage(const std::string& path, Database& db, std::string& error) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": error: cannot open the image";
    return false;
  }
  if (startsWithBtf(fd)) {
    close(fd);
    return readRawBtf(path, db, error);
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  bool ok = dwarf::fromElf(elf, path, db, error);
  if (elf) elf_end(elf);
  close(fd);
  if (ok) db.image = moduleName(path);
  return ok;
}

bool readImageMemory(const void* data, size_t size, const std::string& name, Database& db, std::string& error) {
  bool ok;
  if (btf::isBtf({static_cast<const char*>(data), size})) {
    ok = btf::read(data, size, name, db, error);
  } else {
    elf_version(EV_CURRENT);
    // libelf takes a writable buffer; the caller's stays untouched.
    std::vector<char> copy(static_cast<const char*>(data), static_cast<const char*>(data) + size);
    Elf* elf = elf_memory(copy.data(), copy.size());
    ok = dwarf::fromElf(elf, name, db, error);
    if (elf) elf_end(elf);
  }
  if (ok) db.image = moduleName(name);
  return ok;
}

}  // namespace symdb
