/* Workloads for dynamic and data probes: each does a known number of
 * calls or writes per round, with known arguments, checks every result
 * itself and reports each round on the serial port, so a test can
 * compare the probes' counts and arguments with what really happened. */
#include "ulib.h"

enum { CALLS_PER_ROUND = 100, POKES_PER_ROUND = 50 };

/* A user-mode function for user-mode (CPL3) probes, with the frame
 * prologue real code starts with (a compiler may leave it out of a leaf
 * function): ucall_target(a, b) = 7a + b. In assembly so that every call
 * really happens. */
__asm__(
    "  .text\n"
    "  .globl ucall_target\n"
    "  .type ucall_target, @function\n"
    "ucall_target:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  lea (,%rdi,8), %rax\n"
    "  sub %rdi, %rax\n"
    "  add %rsi, %rax\n"
    "  pop %rbp\n"
    "  ret\n"
    "  .size ucall_target, . - ucall_target\n");

/* usum(n) = n + usum(n - 1), usum(0) = 0: a recursive user function for
 * return probes (GUEST:EXIT:usum): each level returns to the `pop` after
 * its own call, so each return must pair with its own entry. */
__asm__(
    "  .text\n"
    "  .globl usum\n"
    "  .type usum, @function\n"
    "usum:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  xor %eax, %eax\n"
    "  test %rdi, %rdi\n"
    "  jz 1f\n"
    "  push %rdi\n"
    "  dec %rdi\n"
    "  call usum\n"
    "  pop %rdi\n"
    "  add %rdi, %rax\n"
    "1:\n"
    "  pop %rbp\n"
    "  ret\n"
    "  .size usum, . - usum\n");

static void report(const char *who, int cpu, uint64_t round, uint64_t bad,
                   const char *what) {
  struct line l = {.n = 0};
  say(&l, who);
  say(&l, ": cpu ");
  say_num(&l, (uint64_t)cpu);
  say(&l, " round ");
  say_num(&l, round);
  say(&l, bad ? ": BAD " : ": ok ");
  say(&l, what);
  say_end(&l);
}

/* Round r: kcall_target(r, i, 1000r + i) and ucall_target(r, i) for
 * i = 0..99, then usum(r % 10 + 1) (r % 10 + 2 calls deep), each result
 * checked. */
void caller_main(int cpu) {
  announce(cpu);
  for (uint64_t round = 1;; round++) {
    uint64_t bad = 0;
    for (uint64_t i = 0; i < CALLS_PER_ROUND; i++) {
      uint64_t c = round * 1000 + i;
      bad += kcall(round, i, c) != round * 3 + (i ^ c);
      bad += ucall_target(round, i) != round * 7 + i;
    }
    uint64_t n = round % 10 + 1;
    bad += usum(n) != n * (n + 1) / 2;
    report("caller", cpu, round, bad, "100 kernel calls, 100 user calls");
    sleep_ticks(1);
  }
}

/* Round r: poke_vars[1] = 1000r + i for i = 0..49, each preceded by two
 * writes of each neighbour (poke_vars[0] and [2]); every value read back
 * is checked. */
void poker_main(int cpu) {
  announce(cpu);
  for (uint64_t round = 1;; round++) {
    uint64_t bad = 0;
    for (uint64_t i = 0; i < POKES_PER_ROUND; i++) {
      uint64_t v = round * 1000 + i;
      for (int k = 0; k < 2; k++) {
        bad += poke(0, v + 100) != (int64_t)(v + 100);
        bad += poke(2, v + 200) != (int64_t)(v + 200);
      }
      bad += poke(1, v) != (int64_t)v;
    }
    report("poker", cpu, round, bad, "50 writes of poke_vars[1], 200 of its neighbours");
    sleep_ticks(1);
  }
}

/* bench=ucall: ucall_target in a tight loop, the calls per second
 * reported, so that the cost of a user-mode probe on it can be measured
 * (bench/dynamic_probe.cpp). */
void ucallbench_main(int cpu) {
  announce(cpu);
  uint64_t sum = 0;
  for (;;) {
    uint64_t n = 0, t0 = ticks(cpu);
    while (ticks(cpu) - t0 < info()->hz) {
      for (uint64_t i = 0; i < 64; i++) sum += ucall_target(n, i);
      n += 64;
    }
    struct line l = {.n = 0};
    say(&l, "ucallbench: ");
    say_num(&l, n);
    say(&l, " calls in 1 s (");
    say_num(&l, sum & 1);
    say(&l, ")");
    say_end(&l);
  }
}
