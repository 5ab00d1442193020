// The displaced instruction of a dynamic probe, emulated in user space.
//
// A GUEST: probe replaces the first byte of a guest instruction with int3.
// When the vCPU stops there, the probe runs, and then the original
// instruction must take effect exactly once without the guest ever
// executing the int3. On hosts without single-step (see
// shared/HOST-KVM.md) the monitor does that itself: ProbeInsn decodes the
// original bytes once, when the probe is planted, and executes them on a
// copy of the registers at each hit. One exit per hit.
//
// Supported (64-bit mode, the instructions that start functions in real
// code, plus the ones around them): nop/endbr64/pause, clac/stac, push, pop, mov,
// movzx/movsx/movsxd, lea, add/sub/adc/sbb/and/or/xor/cmp/test/inc/dec,
// leave, call, ret, jmp, jcc, and `mov cr3, r64` (CPL0; the caller loads
// the new CR3, see EmuCpu). Operands: general registers, immediates and
// memory (base + index * scale + displacement, RIP-relative, FS/GS
// segment bases). Not: lock/rep prefixes (except the "repz ret" idiom),
// segment/debug registers and other control registers, string, system and vector
// instructions. decode() says which and why.
//
// Exactly once: an instruction does all its reads and checks before its
// one memory write, and commits registers only after that write, so a
// fault (reported as EmuOutcome::Fault, to be delivered to the guest as
// the CPU would) leaves registers and memory untouched.
#pragma once

#include <Zydis/Zydis.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "vmm-engine/registers.h"

namespace vmm {

// What an instruction sees besides memory.
struct EmuCpu {
  Gprs regs{};             // regs.rip: the address of the instruction
  unsigned cpl = 0;        // for memory permission checks
  uint64_t fsBase = 0, gsBase = 0;
  uint64_t cr4 = 0;  // read: CR4.PCIDE decides what bit 63 of a CR3 write means
  // Set by `mov cr3` (execute() only computes it: loading it, and flushing
  // the TLB unless cr3NoFlush, is the caller's).
  bool cr3Written = false, cr3NoFlush = false;
  uint64_t cr3 = 0;
};

// A page fault (or other exception) the instruction raised.
using EmuFault = GuestException;

enum class EmuStatus : uint8_t {
  Ok,
  Fault,        // the guest must see `fault`
  Unsupported,  // the access cannot be emulated here (not RAM: MMIO)
};

// Guest memory as the emulated instruction sees it (linear addresses,
// with the permissions of EmuCpu::cpl). A write either happens whole or
// not at all.
class EmuMemory {
 public:
  virtual ~EmuMemory() = default;
  virtual EmuStatus read(uint64_t linear, void* out, size_t len,
                         EmuFault& fault) = 0;
  virtual EmuStatus write(uint64_t linear, const void* in, size_t len,
                          EmuFault& fault) = 0;
};

enum class EmuOutcome : uint8_t { Done, Fault, Unsupported };

struct EmuResult {
  EmuOutcome outcome = EmuOutcome::Done;
  EmuFault fault;               // Fault
  const char* why = nullptr;    // Unsupported: a static string
};

class ProbeInsn {
 public:
  // Decodes the instruction at the start of `bytes` (64-bit mode) found at
  // guest address `address`. False, with `why` ("lock prefix", "cannot be
  // decoded", ...), when it is not one this emulator runs.
  static bool decode(const uint8_t* bytes, size_t len, uint64_t address,
                     ProbeInsn& out, std::string& why);

  size_t length() const { return insn_.length; }
  // Intel syntax ("push rbp"), for messages.
  const std::string& text() const { return text_; }
  // `mov cr3, r64`: true, and the value the instruction would write as the
  // guest's registers `g` have it (bit 63, PCID's no-flush, included).
  bool writesCr3() const;
  uint64_t cr3Source(const Gprs& g) const;
  // Writes memory through an operand of its own (`mov [rax], 0`, `add
  // [rbx], ecx`); a push's or call's store to the stack does not count.
  bool storesToMemory() const;

  // Runs the instruction on `cpu` (whose regs.rip is where it executes; it
  // need not be the decode address: RIP-relative operands follow RIP).
  // Done: cpu holds the new state and the one write (if any) happened.
  // Fault/Unsupported: cpu and memory are unchanged.
  EmuResult execute(EmuCpu& cpu, EmuMemory& mem) const;

 private:
  ZydisDecodedInstruction insn_{};
  ZydisDecodedOperand ops_[ZYDIS_MAX_OPERAND_COUNT]{};
  std::string text_;
};

}  // namespace vmm
