// A one-segment x86-64 ELF executable written to /tmp, for benchmarks that
// boot (or only need) a guest made of a few instructions: the code is
// loaded at `base`, read+execute, and is also the entry point.
#pragma once

#include <cstdint>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace bench {

// Writes the image to /tmp/NAME.PID.elf and returns that path.
inline std::string writeFlatElf(const void* code, size_t size, uint64_t base, const std::string& name) {
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64, eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC, eh.e_machine = EM_X86_64, eh.e_version = EV_CURRENT;
  eh.e_entry = base, eh.e_phoff = sizeof eh, eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr), eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD, ph.p_flags = PF_R | PF_X, ph.p_offset = 0x1000;
  ph.p_vaddr = ph.p_paddr = base, ph.p_filesz = ph.p_memsz = size;
  ph.p_align = 0x1000;
  std::string path = "/tmp/" + name + "." + std::to_string(getpid()) + ".elf";
  std::ofstream f(path, std::ios::binary);
  std::vector<char> pad(0x1000 - sizeof eh - sizeof ph);
  f.write(reinterpret_cast<const char*>(&eh), sizeof eh);
  f.write(reinterpret_cast<const char*>(&ph), sizeof ph);
  f.write(pad.data(), std::streamsize(pad.size()));
  f.write(static_cast<const char*>(code), std::streamsize(size));
  return path;
}

}  // namespace bench
