/* Kernel-internal types and functions. Every kernel path here runs at
 * CPL0, which some hosts emulate at microseconds per instruction: keep
 * paths short, loops small, and leave bulk work to user mode. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "defs.h"

#define V2P(va) ((uint64_t)(va) - KERNEL_VBASE)
#define P2V(pa) ((void *)((uint64_t)(pa) + KERNEL_VBASE))

struct frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx,
      rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct frame) == FRAME_SIZE, "frame layout");
_Static_assert(offsetof(struct frame, rbp) == FRAME_RBP, "frame rbp");
_Static_assert(offsetof(struct frame, rip) == FRAME_RIP, "frame rip");
_Static_assert(offsetof(struct frame, cs) == FRAME_CS, "frame cs");

enum task_state { T_FREE, T_RUNNABLE, T_SLEEPING, T_DISK, T_DEAD };

struct task {
  struct frame *frame; /* saved state while not running */
  uint64_t kstack_top;
  uint64_t cr3;
  uint32_t state, cpu;
  uint64_t wake_tick;
  uint64_t *pt;        /* the page table covering 0x400000-0x5fffff */
  uint64_t data_pa;    /* physical base of USER_DATA */
  uint32_t skip_faults; /* hostile `excer`: exceptions resume at R15 */
  uint32_t all_ports;   /* IOPL 3 processes: every port, also where IOPL is not honoured */
  uint8_t pad0[TASK_PID - 64];
  int32_t pid;
  uint8_t pad1[TASK_COMM - TASK_PID - 4];
  char comm[TASK_COMM_LEN];
  uint8_t pad2[TASK_SIZE - TASK_COMM - TASK_COMM_LEN];
};
_Static_assert(offsetof(struct task, pid) == TASK_PID, "task pid");
_Static_assert(offsetof(struct task, comm) == TASK_COMM, "task comm");
_Static_assert(sizeof(struct task) == TASK_SIZE, "task size");

struct tss {
  uint32_t reserved0;
  uint64_t rsp0, rsp1, rsp2;
  uint64_t reserved1, ist[7], reserved2;
  uint16_t reserved3, iomap_base;
} __attribute__((packed));

/* I/O permission bitmap covering ports 0-0x3ff (1 bit per port, 0 =
 * allowed at CPL3). */
#define IOMAP_BYTES 128
/* Every port (0-0xffff), and the bits a wide access at 0xffff reads past
 * its end. */
#define IOMAP_ALL_BYTES (8192 + 1)

struct percpu {
  struct task *current; /* PCPU_CURRENT: must stay first */
  uint64_t user_rsp;    /* PCPU_USER_RSP: scratch in syscall entry */
  uint64_t kstack;      /* PCPU_KSTACK: current task's kernel stack top */
  struct percpu *self;  /* PCPU_SELF */
  uint32_t cpu, ntasks;
  uint32_t next;        /* round-robin position */
  uint32_t pad;
  uint64_t ticks;
  struct task *idle;
  struct task *tasks[MAX_TASKS];
  /* Two bitmaps behind the TSS, chosen per process by iomap_base: all
   * ports open, then the usual one, which ends the segment so that ports
   * past it fault. */
  struct tss tss;
  uint8_t iomap_all[IOMAP_ALL_BYTES];
  uint8_t iomap[IOMAP_BYTES + 1]; /* + the 0xff terminator */
} __attribute__((aligned(64)));
_Static_assert(offsetof(struct percpu, current) == PCPU_CURRENT, "pcpu");
_Static_assert(offsetof(struct percpu, user_rsp) == PCPU_USER_RSP, "pcpu");
_Static_assert(offsetof(struct percpu, kstack) == PCPU_KSTACK, "pcpu");
_Static_assert(offsetof(struct percpu, self) == PCPU_SELF, "pcpu");
/* The bitmaps' offsets in the TSS segment (its iomap_base). */
#define IOMAP_BASE_ALL ((uint16_t)sizeof(struct tss))
#define IOMAP_BASE_SOME ((uint16_t)(sizeof(struct tss) + IOMAP_ALL_BYTES))
_Static_assert(offsetof(struct percpu, iomap_all) == offsetof(struct percpu, tss) + IOMAP_BASE_ALL,
               "the open bitmap follows the TSS");
_Static_assert(offsetof(struct percpu, iomap) == offsetof(struct percpu, tss) + IOMAP_BASE_SOME,
               "the usual bitmap follows the open one");

static inline struct percpu *this_cpu(void) {
  struct percpu *p;
  __asm__ volatile("mov %%gs:%c1, %0" : "=r"(p) : "i"(PCPU_SELF));
  return p;
}

/* Boot information (docs/platform.md), read through the higher half. */
struct bootinfo {
  uint32_t magic, version;
  uint64_t ram_bytes;
  uint32_t ncpus, zero;
  uint64_t disk_sectors;
  char cmdline[256];
};

/* Options parsed from the command line (README.md). */
struct options {
  int bench_out, bench_compute, triplefault;
  int hostile; /* the hostile system calls are open (hostile.c) */
  uint32_t hz;
  uint32_t progs; /* bit per enum user_prog */
};

extern struct percpu percpus[MAX_CPUS];
extern struct task tasks[MAX_TASKS];
extern struct shared_info shared_info;
extern struct options opts;
extern uint64_t kernel_pml4[512];
extern uint8_t boot_stacks[MAX_CPUS][8192];
extern const uint64_t isr_stubs[34];
extern uint8_t user_image[], user_image_end[];

/* entry.S */
void syscall_entry(void);
_Noreturn void enter_frame(struct frame *f);
void idle_loop(void);
_Noreturn void triple_fault(void);
/* kfuncs.S: shapes the VP offset helpers understand. */
int32_t sys_getpid(void);
void get_task_comm(char *buf, struct task *t);
char *strncpy(char *dst, const char *src, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
/* Targets of the dynamic-probe workloads (README, "caller", "poker"). */
uint64_t kcall_target(uint64_t a, uint64_t b, uint64_t c);
int64_t sys_poke(uint64_t slot, uint64_t value);
void *fault_alloc(uint64_t size);
/* Hostile mode (hostile.c). */
struct frame *hostile_syscall(struct frame *f);
int hostile_fault(struct frame *f);
void hostile_window(uint64_t n);
uint64_t smc_target(void);
extern volatile uint64_t hostile_tf_req;
/* System Management Mode (smm.c). */
void smm_install(void);
uint64_t sys_smi(uint64_t seq);

/* io.h-like helpers: inb/outb, inw/outw, inl/outl. The operand's type
 * picks the access width (the assembler takes it from %al/%ax/%eax). */
#define PORT_IO(type, in_name, out_name)                          \
  static inline type in_name(uint16_t p) {                        \
    type v;                                                       \
    __asm__ volatile("in %1, %0" : "=a"(v) : "Nd"(p));            \
    return v;                                                     \
  }                                                               \
  static inline void out_name(uint16_t p, type v) {               \
    __asm__ volatile("out %0, %1" ::"a"(v), "Nd"(p));             \
  }
PORT_IO(uint8_t, inb, outb)
PORT_IO(uint16_t, inw, outw)
PORT_IO(uint32_t, inl, outl)
#undef PORT_IO
/* The only `mov cr3` of the kernel: counted first (shared_info.cr3_loads),
 * so a probe that fires before the instruction sees it counted. Callers
 * run with interrupts off. */
static inline void write_cr3(uint64_t v) {
  shared_info.cr3_loads[this_cpu()->cpu]++;
  __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
static inline uint64_t read_cr2(void) {
  uint64_t v;
  __asm__ volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return lo | (uint64_t)hi << 32;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
                   "d"((uint32_t)(v >> 32)));
}

/* console.c */
void kwrite(const char *s, uint64_t len);
void kprint(const char *s);
void kprint_num(const char *prefix, uint64_t v, const char *suffix);
_Noreturn void panic(const char *what, struct frame *f);

/* cmdline.c */
void parse_cmdline(const char *cmdline);

/* cpu.c */
void setup_idt(void);
void setup_cpu(uint32_t cpu);

/* mm.c */
extern uint64_t ram_size;
void mm_init(uint64_t ram_bytes);
int map_user_space(struct task *t, uint32_t slot);
struct frame *page_fault(struct frame *f);
int64_t sys_munmap(uint64_t addr, uint64_t len);

/* sched.c */
struct task *task_create(const char *name, uint32_t cpu, uint64_t entry,
                         uint64_t rflags);
void idle_create(uint32_t cpu);
struct frame *schedule(struct percpu *pc);
struct frame *timer_tick(struct frame *f);
struct frame *block_current(struct percpu *pc, uint32_t state);
struct frame *kill_current(struct frame *f, const char *why);

/* disk.c */
struct frame *sys_disk(struct frame *f);
struct frame *disk_interrupt(struct frame *f);

/* pci.c */
uint32_t pci_read32(uint32_t slot, uint32_t reg);
void pci_write16(uint32_t slot, uint32_t reg, uint16_t v);
int pci_find(uint16_t vendor, uint16_t device);

/* virtio_net.c */
int net_init(void);
int64_t sys_net(int send, uint64_t buf, uint64_t len);

/* trap.c / syscall.c */
struct frame *trap(struct frame *f);
struct frame *syscall_dispatch(struct frame *f);
struct frame *syscall_left_in_user_mode(struct frame *f);

#endif
