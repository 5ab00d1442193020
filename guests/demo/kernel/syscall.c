/* System call dispatch (numbers in defs.h). Arguments arrive in the
 * frame (rdi, rsi, rdx, r10); the result goes to frame->rax. A call that
 * blocks returns another task's frame. */
#include "kernel.h"

static int user_range(uint64_t p, uint64_t n) {
  return p >= USER_CODE && p < USER_STACK_TOP && n <= USER_STACK_TOP - p;
}

static void sys_write(struct frame *f) {
  uint64_t buf = f->rdi, len = f->rsi;
  if (len > 256 || !user_range(buf, len)) {
    f->rax = (uint64_t)-22;
    return;
  }
  kwrite((const char *)buf, len);
  f->rax = len;
}

static void sys_getname(struct frame *f) {
  if (!user_range(f->rdi, TASK_COMM_LEN)) {
    f->rax = (uint64_t)-22;
    return;
  }
  get_task_comm((char *)f->rdi, this_cpu()->current);
  f->rax = 0;
}

struct frame *syscall_dispatch(struct frame *f) {
  struct percpu *pc = this_cpu();
  struct task *t = pc->current;
  t->frame = f;
  switch (f->rax) {
    case SYS_GETPID: f->rax = (uint64_t)sys_getpid(); return f;
    case SYS_WRITE: sys_write(f); return f;
    case SYS_YIELD: f->rax = 0; return schedule(pc);
    case SYS_SLEEP:
      f->rax = 0;
      t->wake_tick = pc->ticks + (f->rdi ? f->rdi : 1);
      return block_current(pc, T_SLEEPING);
    case SYS_DISK: return sys_disk(f);
    case SYS_MUNMAP: f->rax = (uint64_t)sys_munmap(f->rdi, f->rsi); return f;
    case SYS_GETNAME: sys_getname(f); return f;
    case SYS_KCALL: f->rax = kcall_target(f->rdi, f->rsi, f->rdx); return f;
    case SYS_POKE: f->rax = (uint64_t)sys_poke(f->rdi, f->rsi); return f;
    case SYS_SMI: f->rax = sys_smi(f->rdi); return f;
    case SYS_ALLOC: f->rax = (uint64_t)fault_alloc(f->rdi); return f;
    case SYS_NETSEND: f->rax = (uint64_t)sys_net(1, f->rdi, f->rsi); return f;
    case SYS_NETRECV: f->rax = (uint64_t)sys_net(0, f->rdi, f->rsi); return f;
    default: return hostile_syscall(f);
  }
}

/* Some hosts (KVM's PVM flavour, which emulates CPL0) carry out `syscall`
 * from user mode only in part: RCX, R11, RFLAGS masking and RIP = LSTAR
 * happen, the switch to CPL0 does not, so fetching syscall_entry faults
 * (#PF, user, instruction fetch). The state is exactly that of a system
 * call, so finish it here; the iretq path returns to the caller. */
struct frame *syscall_left_in_user_mode(struct frame *f) {
  f->rip = f->rcx;
  f->rflags = f->r11;
  f->vector = VEC_SYSCALL;
  f->error = 0;
  return syscall_dispatch(f);
}
