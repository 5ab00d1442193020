/* faulter: calls the kernel allocator (system call 10, fault_alloc) ten
 * times per tick and reports every NULL it gets, with the running count.
 * fault_alloc never fails by itself, so each line is a fault injected by
 * a probe (the fault-injection tests compare the count with the probe's). */
#include "ulib.h"

void faulter_main(int cpu) {
  announce(cpu);
  uint64_t calls = 0, failed = 0, t0 = ticks(cpu);
  for (;;) {
    for (int i = 0; i < 10; i++) {
      calls++;
      if (alloc(32)) continue;
      struct line l = {.n = 0};
      say(&l, "faulter: allocation ");
      say_num(&l, calls);
      say(&l, " failed (");
      say_num(&l, ++failed);
      say(&l, " failures)");
      say_end(&l);
    }
    sleep_ticks(1);
    if (ticks(cpu) - t0 >= info()->hz) {
      struct line l = {.n = 0};
      say(&l, "faulter: ");
      say_num(&l, calls);
      say(&l, " allocations, ");
      say_num(&l, failed);
      say(&l, " failed");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}
