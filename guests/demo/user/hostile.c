/* Hostile mode (README, "Hostile mode"): processes that attack the
 * monitor. Each reports once per second what it did, and `BAD` when the
 * guest saw something a faithful machine would not do. */
#include "ulib.h"

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static uint64_t seed(int cpu) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32 | lo) * 2654435761u + (uint64_t)cpu + 1;
}

/* "NAME: N WHAT" once a second (per `t0`). */
static void every_second(int cpu, uint64_t *t0, const char *name, uint64_t n,
                         const char *what) {
  if (ticks(cpu) - *t0 < info()->hz) return;
  struct line l = {.n = 0};
  say(&l, name);
  say(&l, ": ");
  say_num(&l, n);
  say(&l, what);
  say_end(&l);
  *t0 = ticks(cpu);
}

/* Ports a write must spare so that the guest lives on: COM1 (the log),
 * the timer and the disk (a write there could stop this CPU's clock or
 * DMA over the kernel) and power off. Reads may go anywhere. */
static int spared(uint16_t p) {
  return (p >= 0x3f8 && p <= 0x3ff) || (p >= 0x500 && p <= 0x52f) ||
         (p >= 0x5f0 && p <= 0x5f3);
}

/* Half the ports at random, half in the ranges with devices behind them. */
static uint16_t pick_port(uint64_t r) {
  static const uint16_t base[] = {0x3f8, 0x500, 0x510, 0x520, 0x5f0, 0xb2,
                                  0x80,  0x40,  0x60,  0xcf8, 0xc000, 0x70};
  if (r & 1) return (uint16_t)(r >> 8);
  return (uint16_t)(base[(r >> 8) % 12] + ((r >> 16) & 15));
}

static void port_io(uint16_t p, uint64_t r) {
  uint32_t v = (uint32_t)(r >> 32);
  int write = (r >> 2) & 1 && !spared(p);
  switch ((r >> 3) & 3) {
    case 0:
      if (write) __asm__ volatile("outb %b0, %w1" ::"a"(v), "Nd"(p));
      else __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(p));
      break;
    case 1:
      if (write) __asm__ volatile("outw %w0, %w1" ::"a"(v), "Nd"(p));
      else __asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(p));
      break;
    default:
      if (write) __asm__ volatile("outl %0, %w1" ::"a"(v), "Nd"(p));
      else __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(p));
  }
}

/* hostile=port: random port reads and writes (IOPL 3). */
void hport_main(int cpu) {
  announce(cpu);
  uint64_t s = seed(cpu), n = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 50; i++, n++) {
      uint64_t r = xorshift(&s);
      port_io(pick_port(r), r);
    }
    sleep_ticks(1);
    every_second(cpu, &t0, "hport", n, " random port accesses");
  }
}

/* Guest-physical pages with no RAM: the scratch page, the usual APIC
 * addresses, the PCI hole, anywhere past RAM below 64 GiB. */
static uint64_t pick_gpa(uint64_t r) {
  switch (r & 3) {
    case 0: return MMIO_SCRATCH_PA;
    case 1: return (r & 4) ? 0xfee00000 : 0xfec00000;
    case 2: return 0xc0000000 + ((r >> 8) & 0x3fff000);
    default: return (r >> 8) & 0xffffff000ull;
  }
}

static void mmio_access(volatile uint8_t *p, uint64_t r) {
  uint64_t v = r * 0x9e3779b97f4a7c15ull;
  unsigned off = (unsigned)(r >> 40) & 0xff8;
  switch ((r >> 3) & 7) {
    case 0: (void)*(volatile uint8_t *)(p + off + ((r >> 6) & 7)); break;
    case 1: (void)*(volatile uint16_t *)(p + off); break;
    case 2: (void)*(volatile uint32_t *)(p + off); break;
    case 3: (void)*(volatile uint64_t *)(p + off); break;
    case 4: *(volatile uint8_t *)(p + off + ((r >> 6) & 7)) = (uint8_t)v; break;
    case 5: *(volatile uint16_t *)(p + off) = (uint16_t)v; break;
    case 6: *(volatile uint32_t *)(p + off) = (uint32_t)v; break;
    default: *(volatile uint64_t *)(p + off) = v;
  }
}

/* hostile=mmio: USER_HMAP mapped at random unbacked pages in turn, each
 * then read and written at random offsets and widths. */
void hmmio_main(int cpu) {
  announce(cpu);
  uint64_t s = seed(cpu), n = 0, refused = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 4; i++) {
      uint64_t r = xorshift(&s);
      if (syscall4(SYS_HMAP, pick_gpa(r), 0, 0, 0)) {
        refused++;
        continue;
      }
      for (int k = 0; k < 8; k++, n++) mmio_access((volatile uint8_t *)USER_HMAP, xorshift(&s));
    }
    sleep_ticks(1);
    every_second(cpu, &t0, "hmmio", n, " random MMIO accesses");
  }
}

/* hostile=smc: the kernel rewrites smc_target and runs it, every tick;
 * the result must be the value just written. */
void smcer_main(int cpu) {
  announce(cpu);
  uint64_t n = 0, bad = 0, t0 = ticks(cpu);
  for (uint64_t v = 2;; v++) {
    int64_t got = syscall4(SYS_SMC, v, 0, 0, 0);
    if (got != (int64_t)(v & 0x7fffffff)) {
      struct line l = {.n = 0};
      say(&l, got == -2 ? "smcer: BAD read-back of rewrite " : "smcer: BAD result of rewrite ");
      say_num(&l, v);
      say_end(&l);
      bad++;
    }
    n++;
    sleep_ticks(1);
    every_second(cpu, &t0, "smcer", n, bad ? " rewrites, some BAD" : " rewrites, all ok");
  }
}

/* One of each survivable exception from CPL3: #UD, int3 (a #GP through
 * the kernel's gate), hlt (#GP), #DE, #PF outside the heap. R15 tells
 * the kernel where to resume (hostile_fault). */
static void exceptions(void) {
  __asm__ volatile(
      "lea 1f(%%rip), %%r15; ud2; 1:\n"
      "lea 2f(%%rip), %%r15; int3; 2:\n"
      "lea 3f(%%rip), %%r15; hlt; 3:\n"
      "xor %%ecx, %%ecx; lea 4f(%%rip), %%r15; div %%rcx; 4:\n"
      "mov $0x300000, %%eax; lea 5f(%%rip), %%r15; mov (%%rax), %%rax; 5:\n" ::
          : "rax", "rcx", "rdx", "r15", "memory");
}

/* hostile=exc: a flood of exceptions, 5 x 20 per tick. */
void excer_main(int cpu) {
  announce(cpu);
  uint64_t n = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 20; i++, n += 5) exceptions();
    sleep_ticks(1);
    every_second(cpu, &t0, "excer", n, " exceptions survived");
  }
}

/* hostile=pt: a moment on garbage page tables, every tick. */
void hpt_main(int cpu) {
  announce(cpu);
  uint64_t s = seed(cpu), n = 0, t0 = ticks(cpu);
  for (;;) {
    syscall4(SYS_HCR3, xorshift(&s), 0, 0, 0);
    n++;
    sleep_ticks(1);
    every_second(cpu, &t0, "hpt", n, " windows on garbage page tables");
  }
}

/* hostile=idt: a moment with a garbage IDT, every twentieth tick (the
 * CPU takes no interrupt meanwhile). */
void hidt_main(int cpu) {
  announce(cpu);
  uint64_t s = seed(cpu), n = 0, t0 = ticks(cpu);
  for (;;) {
    syscall4(SYS_HIDT, xorshift(&s), 0, 0, 0);
    n++;
    sleep_ticks(20);
    every_second(cpu, &t0, "hidt", n, " windows with a garbage IDT");
  }
}

/* hostile=tf: asks the kernel every tick whether a probe wants a triple
 * fault (hostile_tf_req). */
void htf_main(int cpu) {
  announce(cpu);
  for (;;) {
    syscall4(SYS_HTF, 0, 0, 0, 0);
    sleep_ticks(1);
  }
}
