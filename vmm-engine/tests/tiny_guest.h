// Test support: tiny guests assembled with Xbyak at test time and wrapped
// in a minimal ELF64 image, loaded at kTinyBase (identity-mapped by the
// boot page tables), running at CPL0 in the platform's boot state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <xbyak/xbyak.h>

namespace vmm_test {

inline constexpr uint64_t kTinyBase = 0x100000;

// ELF image with one RWX PT_LOAD segment holding `code` at `base`,
// extended with `extraZero` zero bytes of p_memsz.
std::vector<uint8_t> makeElf(const std::vector<uint8_t>& code, uint64_t base,
                             uint64_t extraZero = 0);

// The bytes Xbyak generated.
std::vector<uint8_t> codeOf(const Xbyak::CodeGenerator& g);

// Writes bytes to a fresh file under a per-test temporary directory.
std::string writeTempFile(const std::string& name,
                          const std::vector<uint8_t>& bytes);
std::string tempDir();

// True when /dev/kvm can be opened; otherwise prints a loud SKIP line
// naming `what` (once per call) so a missing KVM is never silent.
bool kvmOrSkip(const char* what);

// Emits: out imm/dx helpers the device tests use.
// Powers the VM off with `code` (port 0x5f0), then halts forever.
void emitPowerOff(Xbyak::CodeGenerator& g, uint32_t code);

}  // namespace vmm_test

namespace vmm_test {
// Installs an interrupt gate for `vector` -> `handler` into an IDT at
// `idtBase` (identity-mapped) and loads it (limit 4095). Clobbers rax, rdi.
void emitIdtGate(Xbyak::CodeGenerator& g, uint64_t idtBase, uint8_t vector,
                 const Xbyak::Label& handler);
void emitLidt(Xbyak::CodeGenerator& g, uint64_t idtBase, uint16_t limit);
}  // namespace vmm_test
