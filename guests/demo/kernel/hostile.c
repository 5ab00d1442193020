/* Hostile mode (README, "Hostile mode"): the system calls with which the
 * hostile processes attack the monitor from kernel mode. Each returns to
 * a sane state before it leaves, so the guest lives on: it is the monitor,
 * with probes loaded, that must survive what happens meanwhile. */
#include "kernel.h"

/* A probe sets it (setguest) to make `htf` triple-fault the VM. */
volatile uint64_t hostile_tf_req;

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* USER_HMAP -> gpa, any page past RAM (device ranges, holes, the scratch
 * page) below 64 GiB; RAM would let the process scribble on the kernel. */
static int64_t sys_hmap(uint64_t gpa) {
  if (gpa < ram_size || gpa >= (1ull << 36) || (gpa & 0xfff)) return -22;
  this_cpu()->current->pt[(USER_HMAP >> 12) & 511] = gpa | 7;
  __asm__ volatile("invlpg (%0)" ::"r"(USER_HMAP) : "memory");
  return 0;
}

/* Rewrites smc_target (kfuncs.S) to return v & 0x7fffffff, switching
 * between two encodings so the first byte changes too, with one 8-byte
 * store, then reads it back and runs it. -2 when the read-back differs:
 * the guest's own write did not win. */
static int64_t sys_smc(uint64_t v) {
  uint64_t imm = v & 0x7fffffff, code;
  if (v & 1) /* mov $imm, %eax; ret; nop; nop */
    code = 0xb8 | imm << 8 | 0xc3ull << 40 | 0x9090ull << 48;
  else /* push $imm; pop %rax; ret; nop */
    code = 0x68 | imm << 8 | 0x58ull << 40 | 0xc3ull << 48 | 0x90ull << 56;
  volatile uint64_t *site = (volatile uint64_t *)(uintptr_t)smc_target;
  *site = code;
  if (*site != code) return -2;
  return (int64_t)smc_target();
}

/* Page-table entries of every kind a walker must survive: present ones
 * into random RAM, past RAM, with reserved or large-page bits set, and
 * absent ones full of garbage. */
static uint64_t garbage_entry(uint64_t *s) {
  uint64_t r = xorshift(s), addr = r & 0x000ffffffffff000ull;
  switch (r >> 62) {
    case 0: return (addr % ram_size & ~0xfffull) | 0x67 | (r & 0x80);
    case 1: return (addr & 0xfffffffffull) | 0x7;
    case 2: return addr | 0x7 | (r & 0x80);
    default: return r & ~1ull;
  }
}

static uint64_t garbage_pml4[MAX_CPUS][512] __attribute__((aligned(4096)));
static uint32_t garbage_pml4_ready[MAX_CPUS];

/* CR3 -> a PML4 whose user half is garbage (the kernel half is the real
 * one, so this code keeps running) for a moment, with interrupts off (a
 * system call runs with IF clear): probes that fire meanwhile walk it. */
static int64_t sys_hcr3(uint64_t seed) {
  struct percpu *pc = this_cpu();
  uint64_t *g = garbage_pml4[pc->cpu], s = seed | 1;
  uint32_t n = garbage_pml4_ready[pc->cpu] ? 16 : 511;
  garbage_pml4_ready[pc->cpu] = 1;
  for (uint32_t i = 0; i < n; i++)
    g[n == 511 ? i : xorshift(&s) % 511] = garbage_entry(&s);
  g[511] = kernel_pml4[511];
  write_cr3(V2P(g));
  hostile_window(200);
  write_cr3(pc->current->cr3);
  return 0;
}

struct gate_raw {
  uint64_t lo, hi;
};
static struct gate_raw garbage_idt[MAX_CPUS][256] __attribute__((aligned(16)));
static uint32_t garbage_idt_ready[MAX_CPUS];
struct __attribute__((packed)) idt_ptr {
  uint16_t limit;
  uint64_t base;
};

/* A gate to nowhere: a handler in the unmapped top GiB of the kernel half
 * or at a non-canonical address (never a mapped byte: the monitor may
 * plant a stop at a handler it traps). Mostly present interrupt or trap
 * gates, which the monitor tries to follow; else any type, present or
 * not. */
static struct gate_raw garbage_gate(uint64_t *s) {
  uint64_t r = xorshift(s);
  uint64_t h = (r & 1) ? 0xffffffffc0000000ull | (r & 0x3ffffff0)
                       : 0x0000900000000000ull | (r & 0xffffffff0);
  uint64_t flags = (r >> 44) & 3 ? 0x8e00 | ((r >> 46) & 1) << 8 | ((r >> 47) & 0x6000)
                                 : xorshift(s) & 0xef00;
  return (struct gate_raw){(h & 0xffff) | (uint64_t)KCODE_SEL << 16 |
                               flags << 32 | ((h >> 16) & 0xffff) << 48,
                           h >> 32};
}

static uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return lo | (uint64_t)hi << 32;
}

/* IDTR -> garbage gates, or a table at an unmapped address, for about 100
 * million TSC cycles with interrupts off (an exception now would be a
 * triple fault: none is raised). The monitor re-reads the IDT every 200 ms
 * to follow its exception probes. */
static int64_t sys_hidt(uint64_t seed) {
  struct percpu *pc = this_cpu();
  struct gate_raw *g = garbage_idt[pc->cpu];
  uint64_t s = seed | 1;
  uint32_t n = garbage_idt_ready[pc->cpu] ? 8 : 256;
  garbage_idt_ready[pc->cpu] = 1;
  for (uint32_t i = 0; i < n; i++) g[n == 256 ? i : xorshift(&s) & 255] = garbage_gate(&s);
  struct idt_ptr real, bad = {sizeof garbage_idt[0] - 1, (uint64_t)g};
  if (seed & 2) bad.base = 0xffffffffc0001000ull; /* unmapped */
  __asm__ volatile("sidt %0" : "=m"(real));
  __asm__ volatile("lidt %0" ::"m"(bad));
  uint64_t t0 = rdtsc();
  for (int i = 0; i < 256 && rdtsc() - t0 < 100000000; i++) hostile_window(500);
  __asm__ volatile("lidt %0" ::"m"(real));
  return 0;
}

static void sys_htf(void) {
  if (!hostile_tf_req) return;
  kprint("kernel: triple fault requested by a probe\n");
  triple_fault();
}

struct frame *hostile_syscall(struct frame *f) {
  int64_t r = -38; /* ENOSYS */
  if (opts.hostile) switch (f->rax) {
      case SYS_HMAP: r = sys_hmap(f->rdi); break;
      case SYS_SMC: r = sys_smc(f->rdi); break;
      case SYS_HCR3: r = sys_hcr3(f->rdi); break;
      case SYS_HIDT: r = sys_hidt(f->rdi); break;
      case SYS_HTF: sys_htf(); r = 0; break;
    }
  f->rax = (uint64_t)r;
  return f;
}

/* `excer` raises exceptions on purpose, with R15 = where to resume (its
 * own code): the exception is survived there instead of killing it. */
int hostile_fault(struct frame *f) {
  if (!(f->cs & 3) || f->r15 < USER_CODE || f->r15 >= USER_CODE + USER_CODE_MAX)
    return 0;
  f->rip = f->r15;
  f->r15 = 0;
  return 1;
}
