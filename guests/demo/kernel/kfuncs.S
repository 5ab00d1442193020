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
