// Where a kernel's code is when there is no image to read it from (a
// Linux guest.kernel is a compressed bzImage): the running kernel's own
// symbols, /proc/kallsyms as `vmrun getGuestSymbols` fetches it. Its text
// [_stext, _etext) is cut at every symbol address inside it, so that each
// range starts at a function or label and a linear decode from there stays
// in step with the instructions (as elf_code_map.h does for an ELF image).
//
// Only the kernel's core text is covered: init text is freed after boot
// (its symbols stay listed, its memory is reused), and a module's last
// function is followed by its data, so neither can be decoded safely.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vmm-engine/elf_code_map.h"

namespace vmm {

// `addresses`: every symbol's address, in any order, duplicates allowed
// (those outside [textStart, textEnd) are ignored). Sorted, not
// overlapping; empty when textStart >= textEnd.
std::vector<CodeRange> symbolCodeRanges(std::span<const uint64_t> addresses, uint64_t textStart,
                                        uint64_t textEnd);

}  // namespace vmm
