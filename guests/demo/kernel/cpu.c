/* Per-CPU processor setup: GDT with a TSS per CPU, the IDT, the syscall
 * MSRs and the GS bases. */
#include "kernel.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* null, kernel code/data, user code32 (unused, for sysret's layout), user
 * data, user code, then one 16-byte TSS descriptor per CPU. */
static uint64_t gdt[6 + 2 * MAX_CPUS] __attribute__((aligned(16))) = {
    0,
    0x00af9b000000ffffull, /* 0x08 kernel code, 64-bit */
    0x00cf93000000ffffull, /* 0x10 kernel data */
    0x00cffb000000ffffull, /* 0x18 user code, 32-bit */
    0x00cff3000000ffffull, /* 0x20 user data */
    0x00affb000000ffffull, /* 0x28 user code, 64-bit */
};

struct idt_gate {
  uint16_t off0, sel, flags, off1;
  uint32_t off2, zero;
};
static struct idt_gate idt[256] __attribute__((aligned(16)));

struct __attribute__((packed)) table_ptr {
  uint16_t limit;
  uint64_t base;
};

/* Gates for the 32 exceptions, the timer and the disk (34 entries: a
 * small loop, once, on the bootstrap CPU). */
void setup_idt(void) {
  for (int v = 0; v < 34; v++) {
    uint64_t a = isr_stubs[v];
    idt[v] = (struct idt_gate){(uint16_t)a, KCODE_SEL, 0x8e00,
                               (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
  }
}

static void set_tss_descriptor(uint32_t cpu, struct tss *t) {
  uint64_t b = (uint64_t)t, limit = sizeof *t + IOMAP_ALL_BYTES + IOMAP_BYTES; /* + 1 - 1 */
  gdt[6 + 2 * cpu] = (limit & 0xffff) | ((b & 0xffffff) << 16) |
                     (0x89ull << 40) | (((b >> 24) & 0xff) << 56);
  gdt[7 + 2 * cpu] = b >> 32;
}

/* CR4.MCE, where CPUID offers machine checks (MCE and MCA): without it a
 * machine check shuts the machine down. */
static void enable_machine_checks(void) {
  uint32_t a = 1, b, c = 0, d;
  __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  if ((d & (1u << 7)) && (d & (1u << 14))) {
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 6)));
  }
}

void setup_cpu(uint32_t cpu) {
  struct percpu *pc = &percpus[cpu];
  /* User port I/O: processes with IOPL 3 may use any port. On hosts that
   * do not honour IOPL at CPL3 (PVM) the TSS bitmap decides: the
   * scheduler points those processes at the all-open one, and every other
   * process reaches port 0x80, the POST port, and nothing else. */
  pc->tss.iomap_base = IOMAP_BASE_SOME;
  memset(pc->iomap_all, 0, sizeof pc->iomap_all);
  memset(pc->iomap, 0xff, sizeof pc->iomap);
  pc->iomap[0x80 / 8] = (uint8_t)~(1u << (0x80 % 8));
  set_tss_descriptor(cpu, &pc->tss);
  struct table_ptr g = {sizeof gdt - 1, (uint64_t)gdt};
  struct table_ptr i = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lgdt %0; lidt %1" ::"m"(g), "m"(i));
  /* Reload CS through a far return, data segments with null (64-bit code
   * needs none), then the TSS. */
  __asm__ volatile(
      "pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:\n"
      "movl %1, %%eax; movl %%eax, %%ss\n"
      "xorl %%eax, %%eax; movl %%eax, %%ds; movl %%eax, %%es\n"
      "movl %%eax, %%fs; movl %%eax, %%gs\n"
      "movw %2, %%ax; ltr %%ax" ::"i"(KCODE_SEL),
      "i"(KDATA_SEL), "r"((uint16_t)(TSS_SEL0 + 16 * cpu))
      : "rax", "memory");
  /* GS after the selector load (loading a selector clears the base).
   * The user-mode GS base is the per-CPU area too (user code never uses
   * GS, and cannot read the supervisor page it points to): swapgs then
   * leaves the area in GSBASE in kernel mode and in both GSBASE and
   * KERNELGSBASE while user code runs. That keeps the reference's
   * "GSBASE if >= 2^32, else KERNELGSBASE" right even on hosts that do not
   * report the guest's KERNELGSBASE while it is in user mode (PVM). */
  wrmsr(MSR_GS_BASE, (uint64_t)pc);
  wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)pc);
  wrmsr(MSR_STAR, ((uint64_t)(UCODE32_SEL | 3) << 48) |
                      ((uint64_t)KCODE_SEL << 32));
  wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
  wrmsr(MSR_FMASK, 0x47700); /* TF, DF, IF, IOPL, NT, AC cleared */
  write_cr3(V2P(kernel_pml4));
  enable_machine_checks();
}
