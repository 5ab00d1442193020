/* Interrupts and exceptions: one C entry for all vectors. Returns the
 * frame to resume, which is another task's after a switch. */
#include "kernel.h"

/* A machine check (#MC): in this guest only ever an injected one (genmce).
 * Logs the banks that hold an error, clears them and goes on: the
 * monitor injects it with MCG_STATUS.RIPV set (the interrupted code can
 * resume). */
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MCI_STATUS_VAL (1ull << 63)
static uint64_t machine_checks;

/* One line, written at once (other CPUs print too). */
static void add(char *buf, uint32_t *n, const char *s, uint64_t v) {
  while (*s && *n < 200) buf[(*n)++] = *s++;
  char d[24];
  int i = sizeof d;
  do {
    d[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v && i > 0);
  while (i < (int)sizeof d && *n < 200) buf[(*n)++] = d[i++];
}

static struct frame *machine_check(struct frame *f) {
  uint64_t banks = rdmsr(MSR_MCG_CAP) & 0xff;
  uint64_t count = __atomic_add_fetch(&machine_checks, 1, __ATOMIC_RELAXED);
  for (uint32_t b = 0; b < banks && b < 32; b++) {
    uint64_t status = rdmsr(0x401 + 4 * b);
    if (!(status & MCI_STATUS_VAL)) continue;
    char line[208];
    uint32_t n = 0;
    add(line, &n, "kernel: machine check ", count);
    add(line, &n, " on cpu ", this_cpu()->cpu);
    add(line, &n, " bank ", b);
    add(line, &n, " status ", status);
    add(line, &n, " addr ", rdmsr(0x402 + 4 * b));
    line[n++] = '\n';
    kwrite(line, n);
    wrmsr(0x401 + 4 * b, 0);
  }
  wrmsr(MSR_MCG_STATUS, 0); /* MCIP off: the next one is not a shutdown */
  return f;
}

struct frame *trap(struct frame *f) {
  struct percpu *pc = this_cpu();
  pc->current->frame = f;
  if (f->vector < 32 && pc->current->skip_faults && hostile_fault(f)) return f;
  switch (f->vector) {
    case VEC_TIMER: return timer_tick(f);
    case VEC_DISK: return disk_interrupt(f);
    case 18: return machine_check(f);
    case 14:
      if ((f->cs & 3) && f->rip == (uint64_t)syscall_entry)
        return syscall_left_in_user_mode(f);
      return page_fault(f);
    default:
      if (!(f->cs & 3)) panic("exception in kernel mode", f);
      return kill_current(f, "exception");
  }
}
