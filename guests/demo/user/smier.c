/* smier: raises SMIs (port 0xb2, through the kernel) and checks that the
 * SMM handler ran once for each; reports once per second. The sequence
 * number goes to the port in RAX, so a probe can tell the SMIs apart. */
#include "ulib.h"

void smier_main(int cpu) {
  announce(cpu);
  uint64_t raised = 0, ran = 0, t0 = ticks(cpu);
  for (;;) {
    ran = smi(++raised);
    sleep_ticks(1);
    if (ticks(cpu) - t0 >= info()->hz) {
      struct line l = {.n = 0};
      say(&l, "smier: ");
      say_num(&l, raised);
      say(&l, " SMIs raised, handler ran ");
      say_num(&l, ran);
      say(&l, " times");
      say_end(&l);
      t0 = ticks(cpu);
    }
  }
}
