/* A small program whose DWARF tests/suites/symdb-golden.sh reads (built
   with -g -O2 by the suite): every kind of type external types use, functions
   whose variables move between registers or arrive on the stack, and a line
   inlined into two places (the line probes' cases name these lines). */
#include <stdint.h>

enum state { IDLE, RUNNING = 5, DEAD = -1 };
typedef unsigned int u32;

struct flags {
  unsigned a : 3;
  signed b : 5;
  unsigned c : 1;
  uint64_t wide : 40;
};

struct task {
  struct task *next;
  int pid;
  enum state st;
  char comm[16];
  union {
    uint32_t raw;
    struct {
      uint16_t lo, hi;
    };
  };
  struct flags f;
  u32 matrix[2][3];
};

struct task tasks[4];

__attribute__((noinline)) int work(struct task *t, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += t[i].pid * 3 + t[i].f.b;
  return sum;
}

static inline int scale(int v) {
  return v * 7 + tasks[v & 3].pid;
}

__attribute__((noinline)) int twice(int a, int b) { return scale(a) ^ scale(b + 1); }

/* Seven arguments: the seventh arrives on the stack (at the call frame
   address); `scale` is a constant, `never` has no location at all. noipa:
   no clone with the constant arguments folded in. */
__attribute__((noinline, noipa)) long spill(struct task *t, long b, long c, long d, long e, long f, long g) {
  long scale = 3;
  long never;
  return t->pid * scale + b + c + d + e + f + g;
}

int main(void) { return work(tasks, 4) + twice(tasks[0].pid, tasks[1].pid) + (int)spill(tasks, 1, 2, 3, 4, 5, 6); }
