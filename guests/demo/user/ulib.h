/* The user-mode side: system call wrappers and small helpers. User code
 * runs at CPL3 (natively, at full speed) and uses no SSE: the kernel does
 * not save vector registers across switches. */
#ifndef ULIB_H
#define ULIB_H

#include <stddef.h>
#include <stdint.h>

#include "../kernel/defs.h"

static inline int64_t syscall4(uint64_t nr, uint64_t a, uint64_t b,
                               uint64_t c, uint64_t d) {
  int64_t ret;
  register uint64_t r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}

static inline int64_t getpid(void) { return syscall4(SYS_GETPID, 0, 0, 0, 0); }
static inline int64_t write(const char *s, uint64_t n) {
  return syscall4(SYS_WRITE, (uint64_t)s, n, 0, 0);
}
static inline void yield(void) { syscall4(SYS_YIELD, 0, 0, 0, 0); }
static inline void sleep_ticks(uint64_t t) { syscall4(SYS_SLEEP, t, 0, 0, 0); }
static inline int64_t disk_io(int op, uint64_t lba, uint64_t count, void *buf) {
  return syscall4(SYS_DISK, (uint64_t)op, lba, count, (uint64_t)buf);
}
static inline int64_t munmap(void *addr, uint64_t len) {
  return syscall4(SYS_MUNMAP, (uint64_t)addr, len, 0, 0);
}
static inline void getname(char *buf) {
  syscall4(SYS_GETNAME, (uint64_t)buf, 0, 0, 0);
}

static inline uint64_t kcall(uint64_t a, uint64_t b, uint64_t c) {
  return (uint64_t)syscall4(SYS_KCALL, a, b, c, 0);
}
static inline int64_t poke(uint64_t slot, uint64_t value) {
  return syscall4(SYS_POKE, slot, value, 0, 0);
}

static inline uint64_t smi(uint64_t seq) {
  return (uint64_t)syscall4(SYS_SMI, seq, 0, 0, 0);
}

static inline void *alloc(uint64_t size) {
  return (void *)syscall4(SYS_ALLOC, size, 0, 0, 0);
}

static inline int64_t net_send(const void *frame, uint64_t len) {
  return syscall4(SYS_NETSEND, (uint64_t)frame, len, 0, 0);
}
static inline int64_t net_recv(void *buf, uint64_t len) {
  return syscall4(SYS_NETRECV, (uint64_t)buf, len, 0, 0);
}

static inline const struct shared_info *info(void) {
  return (const struct shared_info *)USER_INFO;
}
static inline uint64_t ticks(int cpu) { return info()->ticks[cpu]; }

/* A line buffer: `say(&l, "text"); say_num(&l, 42); say_end(&l);`. */
struct line {
  char buf[128];
  uint32_t n;
};
void say(struct line *l, const char *s);
void say_num(struct line *l, uint64_t v);
void say_end(struct line *l); /* appends '\n' and writes it */

/* "NAME: " of this process, from the kernel (get_task_comm). */
void say_self(struct line *l);
/* One line "NAME: pid P started on cpu C". */
void announce(int cpu);

/* Process bodies (procs.c). Each takes its CPU and never returns. */
void sysloop_main(int cpu);
void disker_main(int cpu);
void porter_main(int cpu);
void pager_main(int cpu);
void cruncher_main(int cpu);
void outbench_main(int cpu);
void compute_main(int cpu);
void caller_main(int cpu);
void poker_main(int cpu);
void ucallbench_main(int cpu);
void yielder_main(int cpu);
void smier_main(int cpu);
void mmioer_main(int cpu);
void faulter_main(int cpu);
void pinger_main(int cpu);
/* Hostile mode (hostile.c). */
void hport_main(int cpu);
void hmmio_main(int cpu);
void smcer_main(int cpu);
void excer_main(int cpu);
void hpt_main(int cpu);
void hidt_main(int cpu);
void htf_main(int cpu);
/* The user-mode function `caller` calls (and user-mode probes watch). */
uint64_t ucall_target(uint64_t a, uint64_t b);
uint64_t usum(uint64_t n);

#endif
