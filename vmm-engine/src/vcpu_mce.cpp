// Machine checks for the guest (genmce): KVM's MCE emulation.
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstring>

#include "vmm-engine/src/kvm_abi.h"
#include "vmm-engine/src/one_msr.h"
#include "vmm-engine/vcpu.h"

namespace vmm {

namespace {

constexpr uint32_t kMsrMcgCap = 0x179, kMsrMcgStatus = 0x17a;
constexpr uint64_t kStatusVal = 1ull << 63, kStatusUc = 1ull << 61;
constexpr uint64_t kMcgRipv = 1, kMcgEipv = 2, kMcgMcip = 4;
constexpr uint64_t kCr4Mce = 1u << 6;

bool readMsr(int fd, uint32_t index, uint64_t& out) {
  OneMsr m(index, 0);
  // SAFETY: `m` is a kvm_msrs header (C layout) and its one entry.
  if (ioctl(fd, kvm_abi::kGetMsrs, m.arg()) != 1) return false;
  out = m.data();
  return true;
}

}  // namespace

bool Vcpu::injectMachineCheck(const MachineCheck& mc, std::string& why) {
  uint64_t cap = 0, mcg = 0;
  if (!readMsr(fd_, kMsrMcgCap, cap) || !readMsr(fd_, kMsrMcgStatus, mcg)) {
    why = "KVM does not give this vCPU's machine-check registers (MCG_CAP, MCG_STATUS)";
    return false;
  }
  unsigned banks = unsigned(cap & 0xff);
  if (mc.bank >= banks) {
    why = "bank " + std::to_string(mc.bank) + " does not exist: the vCPU has " +
          std::to_string(banks) + " (MCG_CAP)";
    return false;
  }
  if (mcePending_) {
    why = "a machine check is already waiting for this vCPU to resume";
    return false;
  }
  if (!(mc.status & kStatusVal)) {
    why = "MCi_STATUS must have VAL (bit 63) set";
    return false;
  }
  if (mc.status & kStatusUc) {
    const SpecialRegs* s = sregs();
    if (!s || !(s->cr4 & kCr4Mce)) {
      why = "the guest has not enabled machine checks (CR4.MCE clear): KVM would shut the VM down";
      return false;
    }
    if (mcg & kMcgMcip) {
      why = "the guest is handling a machine check (MCG_STATUS.MCIP): a second one would shut the VM down";
      return false;
    }
  }
  // Once, with the capabilities the guest read: it also sets every
  // MCi_CTL to all ones, without which KVM drops uncorrected errors.
  // SAFETY: KVM_X86_SETUP_MCE reads one 64-bit word.
  if (!mceSetUp_ && ioctl(fd_, KVM_X86_SETUP_MCE, &cap) < 0) {
    why = "KVM refused to set up machine checks (KVM_X86_SETUP_MCE)";
    return false;
  }
  mceSetUp_ = true;
  mce_ = mc;
  mcePending_ = true;
  return true;
}

// Just before KVM_RUN: KVM queues the #MC as a pending exception, which a
// register write (KVM_SET_REGS, or the sync area KVM_RUN applies) drops;
// the probe's own changes and the emulated instruction's come first.
void Vcpu::raiseMachineCheck() {
  mcePending_ = false;
  if (run_->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
    kvm_regs k;
    static_assert(sizeof k == sizeof gprs_);
    memcpy(&k, &gprs_, sizeof k);
    // SAFETY: kvm_regs is what KVM_SET_REGS reads.
    if (ioctl(fd_, KVM_SET_REGS, &k) < 0) return;
    run_->kvm_dirty_regs &= ~uint64_t(KVM_SYNC_X86_REGS);
  }
  kvm_x86_mce m{};
  m.status = mce_.status;
  m.addr = mce_.addr;
  m.misc = mce_.misc;
  // The interrupted instruction can be restarted: a handler may go on.
  m.mcg_status = kMcgMcip | kMcgRipv | kMcgEipv;
  m.bank = uint8_t(mce_.bank);
  // SAFETY: kvm_x86_mce is what KVM_X86_SET_MCE reads. It can fail only
  // for what injectMachineCheck checked (bank, VAL).
  ioctl(fd_, KVM_X86_SET_MCE, &m);
}

}  // namespace vmm
