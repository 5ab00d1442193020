/* The processes of the demo guest. Each reports on the serial port (one
 * line per event or per second) so tests and people can see it work. */
#include "ulib.h"

static uint64_t hz(void) { return info()->hz; }

/* System calls: bursts of getpid, a sleep between bursts. */
void sysloop_main(int cpu) {
  announce(cpu);
  uint64_t calls = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 20; i++) calls += getpid() >= 0;
    sleep_ticks(1);
    calls++;
    if (ticks(cpu) - t0 >= hz()) {
      struct line l = {.n = 0};
      say(&l, "sysloop: ");
      say_num(&l, calls);
      say(&l, " syscalls");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}

static void fill(uint8_t *b, uint64_t bytes, uint64_t seed) {
  for (uint64_t i = 0; i < bytes; i++) b[i] = (uint8_t)(seed * 131 + i * 7);
}

static int same(const uint8_t *a, const uint8_t *b, uint64_t n) {
  for (uint64_t i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Disk I/O through the kernel driver: write a pattern, read it back,
 * compare. Every fourth round moves 8 sectors at once. */
void disker_main(int cpu) {
  announce(cpu);
  uint8_t *wbuf = (uint8_t *)USER_DATA, *rbuf = (uint8_t *)(USER_DATA + 0x1000);
  uint64_t cap = info()->disk_sectors;
  struct line l = {.n = 0};
  if (cap < 16) {
    say(&l, "disker: no disk");
    say_end(&l);
    for (;;) sleep_ticks(1000);
  }
  for (uint64_t round = 0;; round++) {
    uint64_t count = round % 4 == 3 ? 8 : 1;
    uint64_t lba = (round * 8) % (cap - 8), bytes = count * 512;
    fill(wbuf, bytes, round);
    int64_t w = disk_io(2, lba, count, wbuf);
    int64_t r = w == 0 ? disk_io(1, lba, count, rbuf) : w;
    if (w == -16 || r == -16) { /* EBUSY */
      sleep_ticks(1);
      continue;
    }
    say(&l, "disker: ");
    if (w || r) {
      say(&l, "I/O error at sector ");
      say_num(&l, lba);
    } else if (!same(wbuf, rbuf, bytes)) {
      say(&l, "MISMATCH at sector ");
      say_num(&l, lba);
    } else {
      say(&l, count == 1 ? "wrote+verified sector " : "wrote+verified sectors ");
      say_num(&l, lba);
      if (count > 1) {
        say(&l, "-");
        say_num(&l, lba + count - 1);
      }
    }
    say_end(&l);
    sleep_ticks(hz() / 5 + 1);
  }
}

static inline void out80(uint8_t v) {
  __asm__ volatile("outb %0, $0x80" ::"a"(v));
}
static inline uint8_t in80(void) {
  uint8_t v;
  __asm__ volatile("inb $0x80, %0" : "=a"(v));
  return v;
}

/* Port I/O straight from CPL3 (IOPL 3), plus serial output by syscall. */
void porter_main(int cpu) {
  announce(cpu);
  uint64_t outs = 0, ins = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 200; i++) out80((uint8_t)i);
    for (int i = 0; i < 5; i++) ins += in80() == 0xff;
    outs += 200;
    sleep_ticks(2);
    if (ticks(cpu) - t0 >= hz()) {
      struct line l = {.n = 0};
      say(&l, "porter: ");
      say_num(&l, outs);
      say(&l, " port writes, ");
      say_num(&l, ins);
      say(&l, " reads of 0xff");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}

/* Page faults: touch fresh heap pages (the kernel maps them on demand),
 * give them back, repeat. */
void pager_main(int cpu) {
  announce(cpu);
  enum { PAGES = 32 };
  uint64_t rounds = 0, faults = 0, t0 = ticks(cpu);
  for (;;) {
    volatile uint64_t *heap = (volatile uint64_t *)USER_HEAP;
    for (uint64_t p = 0; p < PAGES; p++) heap[p * 512] = rounds + p;
    for (uint64_t p = 0; p < PAGES; p++)
      if (heap[p * 512] != rounds + p) write("pager: BAD PAGE\n", 16);
    int64_t n = munmap((void *)USER_HEAP, PAGES * 4096);
    faults += (uint64_t)(n > 0 ? n : 0);
    rounds++;
    sleep_ticks(1);
    if (ticks(cpu) - t0 >= hz()) {
      struct line l = {.n = 0};
      say(&l, "pager: ");
      say_num(&l, rounds);
      say(&l, " rounds, ");
      say_num(&l, faults);
      say(&l, " pages faulted in and unmapped");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}

/* MMIO: reads and writes of the platform's scratch MMIO page (nothing
 * behind it: each access exits to the monitor, reads give all ones),
 * counted so a test can compare HV_NPF with them. Reads are of offset 0,
 * writes of offset 8, so the address also tells them apart. */
void mmioer_main(int cpu) {
  announce(cpu);
  volatile uint32_t *mmio = (volatile uint32_t *)USER_MMIO;
  uint64_t reads = 0, ones = 0, writes = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 20; i++) {
      ones += mmio[0] == 0xffffffffu;
      reads++;
    }
    for (int i = 0; i < 10; i++) {
      mmio[2] = (uint32_t)writes;
      writes++;
    }
    sleep_ticks(1);
    if (ticks(cpu) - t0 >= hz()) {
      struct line l = {.n = 0};
      say(&l, "mmioer: ");
      say_num(&l, reads);
      say(&l, " reads (");
      say_num(&l, ones);
      say(&l, " of all ones), ");
      say_num(&l, writes);
      say(&l, " writes");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}

/* Pure CPL3 computation: `chunk` xorshift steps between clock checks.
 * Returns after about one second with the number of steps done. */
static uint64_t compute_for_a_second(int cpu, uint64_t *state) {
  uint64_t n = 0, x = *state, t0 = ticks(cpu);
  while (ticks(cpu) - t0 < hz()) {
    for (int i = 0; i < 65536; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    n += 65536;
  }
  *state = x;
  return n;
}

static void report_rate(const char *prefix, uint64_t n, const char *unit) {
  struct line l = {.n = 0};
  say(&l, prefix);
  say_num(&l, n);
  say(&l, unit);
  say_end(&l);
}

void cruncher_main(int cpu) {
  announce(cpu);
  uint64_t x = 88172645463325252ull;
  for (;;)
    report_rate("cruncher: ", compute_for_a_second(cpu, &x),
                " iterations in 1 s");
}

/* bench=compute: the same loop alone on the machine. */
void compute_main(int cpu) {
  announce(cpu);
  uint64_t x = 88172645463325252ull;
  for (;;)
    report_rate("compute: ", compute_for_a_second(cpu, &x),
                " iterations in 1 s");
}

/* bench=out: `out 0x80` in a tight loop; each is one exit. */
void outbench_main(int cpu) {
  announce(cpu);
  for (;;) {
    uint64_t n = 0, t0 = ticks(cpu);
    while (ticks(cpu) - t0 < hz()) {
      for (int i = 0; i < 256; i++) out80(0);
      n += 256;
    }
    report_rate("outbench: ", n, " outs in 1 s");
  }
}

/* bench=yield: two copies per CPU hand the CPU to each other, so each
 * yield is a context switch and a CR3 load (their page tables differ). */
void yielder_main(int cpu) {
  announce(cpu);
  uint64_t n = 0, t0 = ticks(cpu);
  for (;;) {
    yield();
    n++;
    if (ticks(cpu) - t0 >= hz()) {
      report_rate("yielder: ", n, " yields in 1 s");
      n = 0;
      t0 = ticks(cpu);
    }
  }
}
