/* Tasks and the scheduler: each process is pinned to one CPU; a CPU runs
 * its processes round-robin, switching on every timer interrupt, and its
 * idle task (pid 0, which halts) when none is runnable. A switch changes
 * the per-CPU current task, the kernel stack (TSS.RSP0 and the syscall
 * stack) and CR3, then resumes the next task's saved frame. */
#include "kernel.h"

struct task tasks[MAX_TASKS] __attribute__((aligned(64)));
static uint8_t kstacks[MAX_TASKS][8192] __attribute__((aligned(16)));
static uint32_t ntasks;
static int32_t next_pid = 1;

static void set_name(struct task *t, const char *name) {
  for (int i = 0; i < TASK_COMM_LEN - 1 && name[i]; i++) t->comm[i] = name[i];
}

/* The initial frame: as if the task had been interrupted at its entry. */
static void initial_frame(struct task *t, uint64_t rip, uint64_t cs,
                          uint64_t rsp, uint64_t rflags) {
  struct frame *f = (struct frame *)(t->kstack_top - sizeof *f);
  f->rip = rip;
  f->cs = cs;
  f->ss = cs == KCODE_SEL ? KDATA_SEL : (UDATA_SEL | 3);
  f->rsp = rsp;
  f->rflags = rflags;
  f->rdi = t->cpu; /* a process's argument: its CPU */
  t->frame = f;
}

struct task *task_create(const char *name, uint32_t cpu, uint64_t entry,
                         uint64_t rflags) {
  if (ntasks >= MAX_TASKS || percpus[cpu].ntasks >= MAX_TASKS) return 0;
  uint32_t slot = ntasks++;
  struct task *t = &tasks[slot];
  t->kstack_top = (uint64_t)kstacks[slot] + sizeof kstacks[slot];
  t->cpu = cpu;
  t->pid = next_pid++;
  set_name(t, name);
  if (map_user_space(t, slot)) return 0;
  /* Entered like a call: RSP = 8 mod 16 at the first instruction. */
  initial_frame(t, entry, UCODE_SEL | 3, USER_STACK_TOP - 8, rflags);
  t->state = T_RUNNABLE;
  struct percpu *pc = &percpus[cpu];
  pc->tasks[pc->ntasks++] = t;
  return t;
}

void idle_create(uint32_t cpu) {
  uint32_t slot = ntasks++;
  struct task *t = &tasks[slot];
  t->kstack_top = (uint64_t)kstacks[slot] + sizeof kstacks[slot];
  t->cpu = cpu;
  t->pid = 0;
  set_name(t, "idle");
  t->cr3 = V2P(kernel_pml4);
  initial_frame(t, (uint64_t)idle_loop, KCODE_SEL, t->kstack_top, 0x202);
  t->state = T_RUNNABLE;
  percpus[cpu].idle = t;
  percpus[cpu].current = t;
  percpus[cpu].kstack = t->kstack_top;
}

static struct frame *switch_to(struct percpu *pc, struct task *next) {
  struct task *cur = pc->current;
  if (next != cur) {
    pc->current = next;
    pc->kstack = next->kstack_top;
    pc->tss.rsp0 = next->kstack_top;
    pc->tss.iomap_base = next->all_ports ? IOMAP_BASE_ALL : IOMAP_BASE_SOME;
    if (next->cr3 != cur->cr3) write_cr3(next->cr3);
  }
  return next->frame;
}

/* The next runnable process after the current one, else idle. */
struct frame *schedule(struct percpu *pc) {
  for (uint32_t k = 0; k < pc->ntasks; k++) {
    uint32_t i = (pc->next + k) % pc->ntasks;
    if (pc->tasks[i]->state == T_RUNNABLE) {
      pc->next = i + 1;
      return switch_to(pc, pc->tasks[i]);
    }
  }
  return switch_to(pc, pc->idle);
}

/* Vector 32: count the tick, wake sleepers, rotate. */
struct frame *timer_tick(struct frame *f) {
  struct percpu *pc = this_cpu();
  uint64_t now = ++pc->ticks;
  shared_info.ticks[pc->cpu] = now;
  for (uint32_t i = 0; i < pc->ntasks; i++) {
    struct task *t = pc->tasks[i];
    if (t->state == T_SLEEPING && t->wake_tick <= now) t->state = T_RUNNABLE;
  }
  (void)f;
  return schedule(pc);
}

struct frame *block_current(struct percpu *pc, uint32_t state) {
  pc->current->state = state;
  return schedule(pc);
}

struct frame *kill_current(struct frame *f, const char *why) {
  struct percpu *pc = this_cpu();
  struct task *t = pc->current;
  kprint("kernel: killed ");
  kprint(t->comm);
  kprint_num(" (pid ", (uint64_t)t->pid, "): ");
  kprint(why);
  kprint_num(" (vector ", f->vector, "");
  kprint_num(", error ", f->error, "");
  kprint_num(", cs ", f->cs, "");
  kprint_num(", rip ", f->rip, ")\n");
  return block_current(pc, T_DEAD);
}
