// Loads the guest image: a static ELF64 x86-64 executable whose PT_LOAD
// segments are copied to their physical addresses (docs/platform.md,
// "Boot"). The file is untrusted: every header field and segment bound is
// validated before anything is copied, and a bad file gives a message, not
// a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vmm-engine/elf_code_map.h"

namespace vmm {

class GuestMemory;

// Guest-physical range that belongs to the monitor's boot structures
// (GDT, page tables, boot information); segments may not overlap it.
inline constexpr uint64_t kReservedLowEnd = 0x10000;

struct LoadedImage {
  uint64_t entry = 0;          // e_entry (a linear address)
  uint64_t lowestPaddr = 0;    // of the loaded segments
  uint64_t highestPaddr = 0;   // one past the end, including p_memsz
  std::vector<CodeRange> code;  // elfCodeRanges() of the file
};

// Validates and loads `image` into `mem`. On failure returns false with
// `error` set; `mem` may then hold part of the image.
bool loadElf(std::span<const uint8_t> image, GuestMemory& mem,
             LoadedImage& out, std::string& error);

// Reads a file (refused when larger than guest RAM: it could not fit) and
// loads it. The error names the path.
bool loadElfFile(const std::string& path, GuestMemory& mem, LoadedImage& out,
                 std::string& error);

}  // namespace vmm
