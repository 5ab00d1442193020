/* Interrupts and exceptions: one C entry for all vectors. Returns the
 * frame to resume, which is another task's after a switch. */
#include "kernel.h"

struct frame *trap(struct frame *f) {
  struct percpu *pc = this_cpu();
  pc->current->frame = f;
  switch (f->vector) {
    case VEC_TIMER: return timer_tick(f);
    case VEC_DISK: return disk_interrupt(f);
    case 14:
      if ((f->cs & 3) && f->rip == (uint64_t)syscall_entry)
        return syscall_left_in_user_mode(f);
      return page_fault(f);
    default:
      if (!(f->cs & 3)) panic("exception in kernel mode", f);
      return kill_current(f, "exception");
  }
}
