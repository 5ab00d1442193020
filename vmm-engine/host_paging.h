// Whether this host's KVM keeps a shadow of the guest's page tables.
//
// With two-dimensional paging (EPT/NPT) the CPU walks the guest's page
// tables itself. Without it KVM builds shadow page tables and keeps them
// current by write-protecting the guest's tables and trapping the guest's
// stores to them. A store the monitor performs for the guest (the
// displaced instruction of a planted probe, insn_emulator.h) goes through
// the host mapping and is not trapped: if it writes a page table, KVM's
// shadow keeps the old translation (docs/host-notes.md). So on such hosts
// the monitor makes KVM drop its shadow after each such store
// (Vm::dropShadowPageTables).
//
// True where the CPU shows neither VT-x nor AMD-V (a host that emulates
// guest kernel code, KVM's PVM flavour) and where kvm_intel runs with
// ept=N or kvm_amd with npt=0. Read once per process.
#pragma once

namespace vmm {

bool kvmShadowsGuestPageTables();

}  // namespace vmm
