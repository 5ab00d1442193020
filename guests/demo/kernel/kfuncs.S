/* Functions whose machine code the VP reference's offset helpers read:
 *   offatret(sys_getpid): the displacement of the last load into EAX
 *     before the first ret = offset of the pid in the task structure;
 *   offatstrcpy(get_task_comm, strncpy): the displacement last put in RSI
 *     before the call to strncpy = offset of the name in the task.
 * Written in assembly so the compiler cannot reshape them. */
#include "defs.h"

	.text
	.globl sys_getpid
	.type sys_getpid, @function
sys_getpid:
	push %rbp
	mov %rsp, %rbp
	mov %gs:PCPU_CURRENT, %rax      /* the current task */
	mov TASK_PID(%rax), %eax        /* its pid */
	pop %rbp
	ret
	.size sys_getpid, . - sys_getpid

/* void get_task_comm(char *buf, struct task *t) */
	.globl get_task_comm
	.type get_task_comm, @function
get_task_comm:
	push %rbp
	mov %rsp, %rbp
	lea TASK_COMM(%rsi), %rsi
	mov $TASK_COMM_LEN, %edx
	call strncpy
	pop %rbp
	ret
	.size get_task_comm, . - get_task_comm

/* char *strncpy(char *dst, const char *src, size_t n) */
	.globl strncpy
	.type strncpy, @function
strncpy:
	push %rbp
	mov %rsp, %rbp
	mov %rdi, %rax
	test %rdx, %rdx
	jz 3f
1:	movb (%rsi), %cl
	movb %cl, (%rdi)
	inc %rdi
	dec %rdx
	jz 3f
	test %cl, %cl
	jz 2f
	inc %rsi
	jmp 1b
2:	movb $0, (%rdi)                 /* pad with NULs, as strncpy does */
	inc %rdi
	dec %rdx
	jnz 2b
3:	pop %rbp
	ret
	.size strncpy, . - strncpy

/* memset/memcpy: one string instruction each (cheap when emulated). */
	.globl memset
memset:
	mov %rdi, %r9
	mov %esi, %eax
	mov %rdx, %rcx
	rep stosb
	mov %r9, %rax
	ret
	.globl memcpy
memcpy:
	mov %rdi, %rax
	mov %rdx, %rcx
	rep movsb
	ret

/* uint64_t kcall_target(a, b, c) = 3a + (b ^ c): a kernel function whose
 * arguments and result the `caller` process checks, for dynamic probes at
 * its entry and (kcall_target_ret) at its return. */
	.globl kcall_target, kcall_target_ret
	.type kcall_target, @function
kcall_target:
	push %rbp
	mov %rsp, %rbp
	lea (%rdi,%rdi,2), %rax
	mov %rsi, %rcx
	xor %rdx, %rcx
	add %rcx, %rax
	pop %rbp
kcall_target_ret:
	ret
	.size kcall_target, . - kcall_target

/* int64_t sys_poke(slot, value): poke_vars[slot] = value, then returns the
 * value read back from poke_vars[slot] (-22 for a slot out of range). The
 * `poker` process writes slot 1 and its neighbours 0 and 2 with known
 * counts, for data probes. */
	.globl sys_poke
	.type sys_poke, @function
sys_poke:
	push %rbp
	mov %rsp, %rbp
	cmp $POKE_SLOTS, %rdi
	jae 1f
	lea poke_vars(%rip), %rax
	mov %rsi, (%rax,%rdi,8)
	mov (%rax,%rdi,8), %rax
	pop %rbp
	ret
1:	mov $-22, %rax
	pop %rbp
	ret
	.size sys_poke, . - sys_poke

/* void *fault_alloc(uint64_t size): one of 16 fixed 64-byte blocks in
 * turn for a size of 1 to falloc_max (64), NULL (0) for any other size.
 * It never fails on its own: the `faulter` process (system call 10)
 * reports each NULL, so every failure it reports is an injected one (a
 * skipfunction at the entry, a setgpr of the size, a setguest of
 * falloc_max). */
	.globl fault_alloc, falloc_max
	.type fault_alloc, @function
fault_alloc:
	push %rbp
	mov %rsp, %rbp
	cmp falloc_max(%rip), %rdi
	ja 1f
	test %rdi, %rdi
	jz 1f
	mov $1, %eax
	lock xadd %eax, falloc_next(%rip)
	and $15, %eax
	shl $6, %rax
	lea falloc_pool(%rip), %rcx
	add %rcx, %rax
	pop %rbp
	ret
1:	xor %eax, %eax
	pop %rbp
	ret
	.size fault_alloc, . - fault_alloc

	.data
	.balign 8
falloc_max:
	.quad 64
falloc_next:
	.long 0
	.bss
	.balign 64
falloc_pool:
	.skip 16 * 64
	.text

/* The poked variables, alone on their page: a data probe on one of them
 * slows down only its neighbours here (every access to a watched page
 * exits). */
	.section .data.poke, "aw"
	.balign 4096
	.globl poke_vars
poke_vars:
	.quad 0, 0, 0
	.balign 4096

/* Hostile mode (hostile.c): smc_target is the code SYS_SMC rewrites (8
 * bytes, alone on its page so that a probe there slows nothing else);
 * hostile_window(n) spins n pauses, a place for probes to fire while the
 * page tables or the IDT are garbage. */
	.section .text.smc, "ax"
	.balign 4096
	.globl smc_target
	.type smc_target, @function
smc_target:
	mov $1, %eax
	ret
	nop
	nop
	.size smc_target, . - smc_target
	.balign 4096
	.text
	.globl hostile_window
	.type hostile_window, @function
hostile_window:
	push %rbp
	mov %rsp, %rbp
	test %rdi, %rdi
	jz 2f
1:	pause
	dec %rdi
	jnz 1b
2:	pop %rbp
	ret
	.size hostile_window, . - hostile_window
