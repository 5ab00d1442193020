/* Constants shared by the kernel's C and assembly and by the user
 * programs: segment selectors, per-CPU and task layouts, the trap frame,
 * syscall numbers, the user address space. README.md documents them. */
#ifndef DEFS_H
#define DEFS_H

#define KERNEL_VBASE 0xffffffff80000000
#define MAX_CPUS 4
#define MAX_TASKS 16

/* GDT selectors (sysret needs UDATA = STAR.base + 8, UCODE = + 16). */
#define KCODE_SEL 0x08
#define KDATA_SEL 0x10
#define UCODE32_SEL 0x18
#define UDATA_SEL 0x20
#define UCODE_SEL 0x28
#define TSS_SEL0 0x30 /* + 16 * cpu */

/* Per-CPU area, reached through GS in kernel mode (GSBASE) and kept in
 * KERNELGSBASE while user code runs. Offset 0 is the current task, as the
 * reference's curprocname/curpid sample expects. */
#define PCPU_CURRENT 0
#define PCPU_USER_RSP 8
#define PCPU_KSTACK 16
#define PCPU_SELF 24

/* Task structure offsets the monitor's scripts find via offatret /
 * offatstrcpy (sys_getpid, get_task_comm). */
#define TASK_FRAME 0
#define TASK_PID 0x1a8
#define TASK_COMM 0x3f0
#define TASK_COMM_LEN 16
#define TASK_SIZE 0x400

/* Trap frame: 15 GPRs, vector, error code, the CPU's iret frame. */
#define FRAME_RBP 64
#define FRAME_RIP 136
#define FRAME_CS 144
#define FRAME_SIZE 176

/* Vectors. */
#define VEC_TIMER 32
#define VEC_DISK 33
#define VEC_SYSCALL 0x80 /* not an IDT gate: marks syscall frames */

/* System calls (rax = number; rdi, rsi, rdx, r10 = arguments). */
#define SYS_GETPID 0
#define SYS_WRITE 1  /* (buf, len): serial output, len <= 256 */
#define SYS_YIELD 2
#define SYS_SLEEP 3  /* (ticks) */
#define SYS_DISK 4   /* (op 1 read / 2 write, lba, count, buf) */
#define SYS_MUNMAP 5 /* (addr, len): heap pages back to the kernel */
#define SYS_GETNAME 6 /* (buf): 16 bytes, via get_task_comm */
#define SYS_KCALL 7   /* (a, b, c): kcall_target(a, b, c) = 3a + (b ^ c) */
#define SYS_POKE 8    /* (slot, value): poke_vars[slot] = value, read back */
#define SYS_SMI 9     /* (seq): out 0xb2 with RAX = seq; the SMM handler's count */
#define SYS_ALLOC 10  /* (size): fault_alloc(size), a kernel block or 0 */
#define SYS_NETSEND 11 /* (buf, len): one Ethernet frame out on ethernet0 */
#define SYS_NETRECV 12 /* (buf, len): the next frame received, its length or 0 */
/* Hostile mode only (README, "Hostile mode"); -38 (ENOSYS) otherwise. */
#define SYS_HMAP 13   /* (gpa): maps USER_HMAP to gpa, which must be past RAM */
#define SYS_SMC 14    /* (v): rewrites smc_target to return v, runs it */
#define SYS_HCR3 15   /* (seed): runs a moment on a garbage user half */
#define SYS_HIDT 16   /* (seed): runs a moment with a garbage IDT */
#define SYS_HTF 17    /* (): triple-faults if a probe asked for it */
#define NR_SYSCALLS 18
#define POKE_SLOTS 3

/* User address space (one page table covers 0x400000-0x5fffff). */
#define USER_CODE 0x400000   /* 64 KiB, read-only, shared */
#define USER_CODE_MAX 0x10000
#define USER_INFO 0x410000   /* shared info page, read-only */
#define USER_DATA 0x420000   /* per-process data, 16 KiB */
#define USER_DATA_SIZE 0x4000
#define USER_MMIO 0x430000   /* the platform's scratch MMIO page */
#define MMIO_SCRATCH_PA 0x100000000ull /* docs/platform.md: no RAM, reads all ones */
#define USER_HMAP 0x440000   /* hostile mode: a page mapped past RAM */
#define USER_HEAP 0x500000   /* demand-paged heap */
#define USER_HEAP_END 0x5c0000
#define USER_STACK_TOP 0x600000 /* 16 KiB below it */
#define USER_STACK_SIZE 0x4000

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The page the kernel shares read-only with every process. */
struct shared_info {
  volatile uint64_t ticks[MAX_CPUS]; /* timer interrupts per CPU */
  uint32_t hz;
  uint32_t ncpus;
  uint64_t disk_sectors;
  /* CR3 loads per CPU: one per `mov cr3` executed (write_cr3 counts it
   * just before), for Guest_CR3Write checks. Context switches between
   * processes, the idle task's switches, munmap's flushes and the boot
   * load all write CR3; a switch between two tasks with the same page
   * tables does not. */
  volatile uint64_t cr3_loads[MAX_CPUS];
  /* ethernet0 (virtio_net.c): frames the driver handed the adapter and
   * frames it took from it (for MAC_* checks), the adapter's MAC address,
   * 1 when there is an adapter. */
  volatile uint64_t net_sent, net_received;
  uint8_t net_mac[6];
  uint8_t net_present;
};

/* The table at the start of the user program (USER_CODE): the kernel
 * finds process entry points here. */
#define USER_MAGIC 0x5245535550454d44ull /* "DEMOUSER" */
enum user_prog { PROG_SYSLOOP, PROG_DISKER, PROG_PORTER, PROG_PAGER,
                 PROG_CRUNCHER, PROG_OUTBENCH, PROG_COMPUTE, PROG_CALLER,
                 PROG_POKER, PROG_UCALLBENCH, PROG_YIELDER, PROG_SMIER, PROG_MMIOER,
                 PROG_FAULTER, PROG_PINGER, PROG_HPORT, PROG_HMMIO, PROG_SMCER,
                 PROG_EXCER, PROG_HPT, PROG_HIDT, PROG_HTF, NR_PROGS };
struct user_table {
  uint64_t magic;
  uint64_t entry[NR_PROGS];
};
#endif

#endif
