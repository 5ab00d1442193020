// The ELF loader against valid and hostile images (no KVM needed).
#include <catch2/catch.hpp>
#include <cstring>
#include <elf.h>

#include "tiny_guest.h"
#include "vmm-engine/elf_loader.h"
#include "vmm-engine/guest_memory.h"

using namespace vmm_test;

namespace {

std::vector<uint8_t> goodImage() {
  std::vector<uint8_t> code = {0x90, 0x90, 0xf4};
  return makeElf(code, kTinyBase, 0x100);
}

Elf64_Ehdr& ehdr(std::vector<uint8_t>& img) {
  return *reinterpret_cast<Elf64_Ehdr*>(img.data());
}
Elf64_Phdr& phdr(std::vector<uint8_t>& img) {
  return *reinterpret_cast<Elf64_Phdr*>(img.data() + sizeof(Elf64_Ehdr));
}

std::string loadError(std::vector<uint8_t> img) {
  vmm::GuestMemory mem(4 << 20);
  vmm::LoadedImage li;
  std::string err;
  if (vmm::loadElf(img, mem, li, err)) return "";
  return err;
}

}  // namespace

TEST_CASE("a valid image loads its segment and zeroes the rest") {
  vmm::GuestMemory mem(4 << 20);
  uint8_t junk = 0xcc;
  mem.write(kTinyBase + 3, &junk, 1);  // must be zeroed by p_memsz
  vmm::LoadedImage li;
  std::string err;
  REQUIRE(vmm::loadElf(goodImage(), mem, li, err));
  CHECK(li.entry == kTinyBase);
  CHECK(li.lowestPaddr == kTinyBase);
  CHECK(li.highestPaddr == kTinyBase + 3 + 0x100);
  uint8_t b[4];
  REQUIRE(mem.read(kTinyBase, b, 4));
  CHECK(b[0] == 0x90);
  CHECK(b[2] == 0xf4);
  CHECK(b[3] == 0);
}

TEST_CASE("hostile ELF headers are refused with a message") {
  SECTION("too short") {
    CHECK(loadError({0x7f, 'E', 'L', 'F'}).find("too short") !=
          std::string::npos);
  }
  SECTION("bad magic") {
    auto img = goodImage();
    img[1] = 'X';
    CHECK(loadError(img).find("bad magic") != std::string::npos);
  }
  SECTION("32-bit") {
    auto img = goodImage();
    img[EI_CLASS] = ELFCLASS32;
    CHECK(loadError(img).find("ELF64") != std::string::npos);
  }
  SECTION("other machine") {
    auto img = goodImage();
    ehdr(img).e_machine = EM_AARCH64;
    CHECK(loadError(img).find("x86-64") != std::string::npos);
  }
  SECTION("shared object") {
    auto img = goodImage();
    ehdr(img).e_type = ET_DYN;
    CHECK(loadError(img).find("static executable") != std::string::npos);
  }
  SECTION("program headers beyond the file") {
    auto img = goodImage();
    ehdr(img).e_phoff = img.size() - 10;
    CHECK(loadError(img).find("program header") != std::string::npos);
  }
  SECTION("program header offset overflowing") {
    auto img = goodImage();
    ehdr(img).e_phoff = ~0ull - 8;
    CHECK(loadError(img).find("program header") != std::string::npos);
  }
  SECTION("absurd program header count") {
    auto img = goodImage();
    ehdr(img).e_phnum = 60000;
    CHECK(loadError(img).find("program header") != std::string::npos);
  }
  SECTION("wrong program header size") {
    auto img = goodImage();
    ehdr(img).e_phentsize = 12;
    CHECK(loadError(img).find("program header") != std::string::npos);
  }
}

TEST_CASE("hostile segments are refused with a message") {
  SECTION("file range beyond the file") {
    auto img = goodImage();
    phdr(img).p_filesz = 1 << 20;
    phdr(img).p_memsz = 1 << 20;
    CHECK(loadError(img).find("outside the file") != std::string::npos);
  }
  SECTION("file offset overflowing") {
    auto img = goodImage();
    phdr(img).p_offset = ~0ull;
    CHECK(loadError(img).find("outside the file") != std::string::npos);
  }
  SECTION("filesz larger than memsz") {
    auto img = goodImage();
    phdr(img).p_memsz = 1;
    CHECK(loadError(img).find("larger than memory") != std::string::npos);
  }
  SECTION("physical range beyond RAM") {
    auto img = goodImage();
    phdr(img).p_paddr = (4 << 20) - 1;
    CHECK(loadError(img).find("outside guest RAM") != std::string::npos);
  }
  SECTION("physical range wrapping around") {
    auto img = goodImage();
    phdr(img).p_paddr = ~0ull - 1;
    CHECK(loadError(img).find("outside guest RAM") != std::string::npos);
  }
  SECTION("memsz overflowing") {
    auto img = goodImage();
    phdr(img).p_memsz = ~0ull;
    CHECK(loadError(img).find("outside guest RAM") != std::string::npos);
  }
  SECTION("over the monitor's boot area") {
    auto img = goodImage();
    phdr(img).p_paddr = 0x7000;
    CHECK(loadError(img).find("boot area") != std::string::npos);
  }
  SECTION("entry outside every executable segment") {
    auto img = goodImage();
    ehdr(img).e_entry = 0x12345678;
    CHECK(loadError(img).find("entry point") != std::string::npos);
  }
  SECTION("entry in a non-executable segment") {
    auto img = goodImage();
    phdr(img).p_flags = PF_R | PF_W;
    CHECK(loadError(img).find("entry point") != std::string::npos);
  }
  SECTION("no loadable segment") {
    auto img = goodImage();
    phdr(img).p_type = PT_NOTE;
    CHECK(loadError(img).find("no loadable") != std::string::npos);
  }
}

TEST_CASE("a missing image file is reported with its path") {
  vmm::GuestMemory mem(4 << 20);
  vmm::LoadedImage li;
  std::string err;
  CHECK_FALSE(vmm::loadElfFile("/nonexistent/guest.elf", mem, li, err));
  CHECK(err == "/nonexistent/guest.elf: cannot open the guest image");
}

TEST_CASE("random corruption of a real image never crashes the loader") {
  auto base = goodImage();
  uint64_t seed = 12345;
  int loaded = 0;
  for (int i = 0; i < 2000; ++i) {
    auto img = base;
    for (int k = 0; k < 4; ++k) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      img[(seed >> 33) % 0x80] = uint8_t(seed >> 13);  // headers only
    }
    vmm::GuestMemory mem(4 << 20);
    vmm::LoadedImage li;
    std::string err;
    if (vmm::loadElf(img, mem, li, err)) {
      ++loaded;
      CHECK(mem.contains(li.lowestPaddr, li.highestPaddr - li.lowestPaddr));
    } else {
      CHECK_FALSE(err.empty());
    }
  }
  CHECK(loaded < 2000);
}
