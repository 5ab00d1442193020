#include "vmm-engine/elf_loader.h"

#include <cstring>
#include <elf.h>
#include <fstream>
#include <vector>

#include "vmm-engine/guest_memory.h"

namespace vmm {
namespace {

// Bounds on what we accept: enough for any guest we build, small enough
// that a hostile header cannot make us loop for long.
constexpr unsigned kMaxProgramHeaders = 64;

// [off, off+len) inside [0, total) without overflow.
bool within(uint64_t off, uint64_t len, uint64_t total) {
  return off <= total && len <= total - off;
}

bool checkHeader(std::span<const uint8_t> image, Elf64_Ehdr& eh,
                 std::string& error) {
  if (image.size() < sizeof eh) {
    error = "not an ELF file (too short)";
    return false;
  }
  memcpy(&eh, image.data(), sizeof eh);  // the file may be unaligned
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    error = "not an ELF file (bad magic)";
    return false;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_ident[EI_VERSION] != EV_CURRENT) {
    error = "not a little-endian ELF64 file";
    return false;
  }
  if (eh.e_machine != EM_X86_64) {
    error = "not an x86-64 ELF file";
    return false;
  }
  if (eh.e_type != ET_EXEC) {
    error = "not a static executable (e_type is not ET_EXEC)";
    return false;
  }
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
      eh.e_phnum > kMaxProgramHeaders ||
      !within(eh.e_phoff, uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr),
              image.size())) {
    error = "bad program header table";
    return false;
  }
  return true;
}

bool checkSegment(const Elf64_Phdr& ph, unsigned i, uint64_t fileSize,
                  const GuestMemory& mem, std::string& error) {
  std::string where = "segment " + std::to_string(i) + ": ";
  if (ph.p_filesz > ph.p_memsz) {
    error = where + "file size larger than memory size";
    return false;
  }
  if (!within(ph.p_offset, ph.p_filesz, fileSize)) {
    error = where + "file range outside the file";
    return false;
  }
  if (!mem.contains(ph.p_paddr, ph.p_memsz)) {
    error = where + "physical range outside guest RAM";
    return false;
  }
  if (ph.p_memsz > 0 && ph.p_paddr < kReservedLowEnd) {
    error = where + "overlaps the monitor's boot area (below 0x10000)";
    return false;
  }
  return true;
}

bool entryInSegment(const Elf64_Phdr& ph, uint64_t entry) {
  return ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && entry >= ph.p_vaddr &&
         entry - ph.p_vaddr < ph.p_memsz;
}

}  // namespace

bool loadElf(std::span<const uint8_t> image, GuestMemory& mem,
             LoadedImage& out, std::string& error) {
  Elf64_Ehdr eh;
  if (!checkHeader(image, eh, error)) return false;
  std::vector<Elf64_Phdr> phs(eh.e_phnum);
  memcpy(phs.data(), image.data() + eh.e_phoff, phs.size() * sizeof phs[0]);
  bool entryOk = false, any = false;
  LoadedImage li{eh.e_entry, UINT64_MAX, 0, {}};
  for (unsigned i = 0; i < phs.size(); ++i) {
    const Elf64_Phdr& ph = phs[i];
    if (ph.p_type != PT_LOAD) continue;
    if (!checkSegment(ph, i, image.size(), mem, error)) return false;
    entryOk |= entryInSegment(ph, eh.e_entry);
    any = true;
    li.lowestPaddr = std::min(li.lowestPaddr, ph.p_paddr);
    li.highestPaddr = std::max(li.highestPaddr, ph.p_paddr + ph.p_memsz);
  }
  if (!any) {
    error = "no loadable segment";
    return false;
  }
  if (!entryOk) {
    error = "entry point is not inside an executable loadable segment";
    return false;
  }
  for (const Elf64_Phdr& ph : phs) {
    if (ph.p_type != PT_LOAD) continue;
    // Bounds were checked above. The platform zeroes the rest of p_memsz
    // explicitly: another segment may have been copied over it.
    mem.write(ph.p_paddr, image.data() + ph.p_offset, ph.p_filesz);
    memset(mem.hostPtr(ph.p_paddr, ph.p_memsz) + ph.p_filesz, 0,
           ph.p_memsz - ph.p_filesz);
  }
  li.code = elfCodeRanges(image);
  out = li;
  return true;
}

bool loadElfFile(const std::string& path, GuestMemory& mem, LoadedImage& out,
                 std::string& error) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    error = path + ": cannot open the guest image";
    return false;
  }
  std::streamoff size = f.tellg();
  if (size < 0 || uint64_t(size) > mem.size()) {
    error = path + ": guest image larger than guest RAM";
    return false;
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), size)) {
    error = path + ": cannot read the guest image";
    return false;
  }
  if (!loadElf(bytes, mem, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

}  // namespace vmm
