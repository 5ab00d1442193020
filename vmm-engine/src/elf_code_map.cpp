#include "vmm-engine/elf_code_map.h"

#include <algorithm>
#include <cstring>
#include <elf.h>

namespace vmm {
namespace {

// Bounds on what we read: a hostile table cannot make us loop for long.
constexpr size_t kMaxSections = 4096;
constexpr size_t kMaxSymbols = 1u << 22;
// A section larger than this is not a kernel's text.
constexpr uint64_t kMaxSectionBytes = 1ull << 30;

bool within(uint64_t off, uint64_t len, uint64_t total) {
  return off <= total && len <= total - off;
}

template <class T>
T at(std::span<const uint8_t> image, uint64_t off) {
  T v;
  memcpy(&v, image.data() + off, sizeof v);  // the file may be unaligned
  return v;
}

std::vector<Elf64_Shdr> sections(std::span<const uint8_t> image) {
  if (image.size() < sizeof(Elf64_Ehdr) || memcmp(image.data(), ELFMAG, SELFMAG) != 0) return {};
  auto eh = at<Elf64_Ehdr>(image, 0);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
      eh.e_shnum == 0 || eh.e_shnum > kMaxSections ||
      !within(eh.e_shoff, uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr), image.size()))
    return {};
  std::vector<Elf64_Shdr> out(eh.e_shnum);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = at<Elf64_Shdr>(image, eh.e_shoff + i * sizeof(Elf64_Shdr));
  return out;
}

bool isCode(const Elf64_Shdr& s) {
  return s.sh_type == SHT_PROGBITS && (s.sh_flags & SHF_ALLOC) && (s.sh_flags & SHF_EXECINSTR) &&
         s.sh_size > 0 && s.sh_size <= kMaxSectionBytes && s.sh_addr + s.sh_size > s.sh_addr;
}

// The value of every symbol of a symbol table that lies in a code section.
void symbolStarts(std::span<const uint8_t> image, const Elf64_Shdr& tab,
                  const std::vector<Elf64_Shdr>& all, std::vector<uint64_t>& starts) {
  if (tab.sh_type != SHT_SYMTAB || tab.sh_entsize != sizeof(Elf64_Sym) ||
      !within(tab.sh_offset, tab.sh_size, image.size()))
    return;
  size_t n = std::min<uint64_t>(tab.sh_size / sizeof(Elf64_Sym), kMaxSymbols);
  for (size_t i = 0; i < n; ++i) {
    auto sym = at<Elf64_Sym>(image, tab.sh_offset + i * sizeof(Elf64_Sym));
    unsigned type = ELF64_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_NOTYPE) continue;
    if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= all.size()) continue;
    const Elf64_Shdr& in = all[sym.st_shndx];
    if (isCode(in) && sym.st_value >= in.sh_addr && sym.st_value - in.sh_addr < in.sh_size)
      starts.push_back(sym.st_value);
  }
}

}  // namespace

std::vector<CodeRange> elfCodeRanges(std::span<const uint8_t> image) {
  std::vector<Elf64_Shdr> all = sections(image);
  std::vector<CodeRange> sects;
  std::vector<uint64_t> starts;
  for (const auto& s : all) {
    if (isCode(s)) {
      sects.push_back({s.sh_addr, s.sh_addr + s.sh_size});
      starts.push_back(s.sh_addr);
    }
    symbolStarts(image, s, all, starts);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<CodeRange> out;
  for (size_t i = 0; i < starts.size(); ++i) {
    // The section that holds this start ends the range at the latest.
    uint64_t end = 0;
    for (const auto& s : sects)
      if (starts[i] >= s.start && starts[i] < s.end) end = std::max(end, s.end);
    if (i + 1 < starts.size()) end = std::min(end, starts[i + 1]);
    if (end > starts[i]) out.push_back({starts[i], end});
  }
  return out;
}

}  // namespace vmm
