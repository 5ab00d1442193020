# What this host's KVM can run (sourced by tests/run-all, the suites and
# the demos).
#
# kvm_usable: /dev/kvm exists and this user may open it.
# kvm_hw_virt: the CPU shows VT-x or AMD-V (the flags vmx/svm), so guest
# kernel code runs natively. KVM's PVM flavour (kvm_pvm, the /dev/kvm some
# of our machines have) runs guests without them: guest user code runs
# natively but guest kernel code is emulated, one instruction at a time.
# Our demo guest's kernel paths are short and run well there; a stock
# Linux kernel does not boot in useful time (measured: no console output
# after 300 s), and there is no System Management Mode (no
# KVM_CAP_X86_SMM). What needs either says "# needs: hardware
# virtualization" and runs under tests/nested-kvm/run (QEMU emulating an
# AMD-V CPU) on such hosts.
# TESTS_AS_IF_NO_KVM=1 makes the tests act as on a machine without
# /dev/kvm (everything that needs KVM then runs in the nested VM, which
# does not see the variable), to try that path where /dev/kvm exists.
kvm_usable() { [[ -z ${TESTS_AS_IF_NO_KVM:-} && -r /dev/kvm && -w /dev/kvm ]]; }
kvm_hw_virt() { grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null; }
# needs_hw_virt FILE: FILE (a suite) declares it needs hardware virtualization.
needs_hw_virt() { grep -q '^# needs: hardware virtualization' "$1"; }
# kvm_runs FILE: KVM here can run what FILE needs.
kvm_runs() { kvm_usable && { kvm_hw_virt || ! needs_hw_virt "$1"; }; }
