/* Boot entry, kernel page tables, trap and syscall entry/exit paths.
 * Every vCPU starts at _start (RDI = vCPU index, RSI = boot info). */
#include "defs.h"

	.section .text.boot, "ax"
	.globl _start
_start:
	cli
	/* Boot stack of this CPU (8 KiB each), in the higher half. */
	lea boot_stacks(%rip), %rsp
	mov %rdi, %rax
	inc %rax
	shl $13, %rax
	add %rax, %rsp
	xor %ebp, %ebp
	call kmain            /* kmain(cpu, bootinfo_phys): never returns */
1:	hlt
	jmp 1b

	.text
/* Interrupt and exception stubs: push a zero error code where the CPU
 * pushes none, then the vector, then join the common path. */
.macro STUB vec, err
	.align 16
isr_\vec:
	.if \err == 0
	push $0
	.endif
	push $\vec
	jmp isr_common
.endm
	STUB 0,0;  STUB 1,0;  STUB 2,0;  STUB 3,0;  STUB 4,0;  STUB 5,0
	STUB 6,0;  STUB 7,0;  STUB 8,1;  STUB 9,0;  STUB 10,1; STUB 11,1
	STUB 12,1; STUB 13,1; STUB 14,1; STUB 15,0; STUB 16,0; STUB 17,1
	STUB 18,0; STUB 19,0; STUB 20,0; STUB 21,1; STUB 22,0; STUB 23,0
	STUB 24,0; STUB 25,0; STUB 26,0; STUB 27,0; STUB 28,0; STUB 29,1
	STUB 30,1; STUB 31,0; STUB 32,0; STUB 33,0

.macro PUSH_GPRS
	push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi
	push %rbp; push %r8; push %r9; push %r10; push %r11; push %r12
	push %r13; push %r14; push %r15
.endm
.macro POP_GPRS
	pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10
	pop %r9; pop %r8; pop %rbp; pop %rdi; pop %rsi; pop %rdx
	pop %rcx; pop %rbx; pop %rax
.endm

isr_common:
	testb $3, 24(%rsp)        /* CS of the interrupted code */
	jz 1f
	swapgs                    /* from user: GSBASE <- per-CPU area */
1:	PUSH_GPRS
	mov %rsp, %rdi
	/* A frame record linking to the interrupted code, so a frame-pointer
	 * walk continues from the handler into what it interrupted. */
	push FRAME_RIP(%rdi)
	push FRAME_RBP(%rdi)
	mov %rsp, %rbp
	call trap                 /* returns the frame to resume */
	mov %rax, %rsp
	.globl ret_to_frame
ret_to_frame:
	POP_GPRS
	add $16, %rsp             /* vector, error code */
	testb $3, 8(%rsp)
	jz 2f
	swapgs                    /* to user: per-CPU area back to KERNELGSBASE */
2:	iretq

/* enter_frame(frame): start running a saved frame (first task of a CPU). */
	.globl enter_frame
enter_frame:
	mov %rdi, %rsp
	jmp ret_to_frame

/* syscall: RCX = user RIP, R11 = user RFLAGS, IF cleared by FMASK. Builds
 * the same frame as an interrupt so any task can be resumed by iretq. */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:PCPU_USER_RSP
	mov %gs:PCPU_KSTACK, %rsp
	push $(UDATA_SEL | 3)
	push %gs:PCPU_USER_RSP
	push %r11
	push $(UCODE_SEL | 3)
	push %rcx
	push $0
	push $VEC_SYSCALL
	PUSH_GPRS
	mov %rsp, %rdi
	push FRAME_RIP(%rdi)
	push FRAME_RBP(%rdi)
	mov %rsp, %rbp
	call syscall_dispatch
	lea 16(%rsp), %rcx        /* this task's frame */
	cmp %rax, %rcx
	mov %rax, %rsp
	jne ret_to_frame          /* another task runs now: iretq path */
	POP_GPRS
	mov 16(%rsp), %rcx        /* RIP */
	mov 32(%rsp), %r11        /* RFLAGS */
	mov 40(%rsp), %rsp        /* user RSP; IF is still clear here */
	swapgs
	sysretq

/* The idle task: halt until the next interrupt. */
	.globl idle_loop
idle_loop:
	sti
	hlt
	jmp idle_loop

/* Deliberate triple fault: no usable IDT, then a #GP. */
	.globl triple_fault
triple_fault:
	cli
	sub $16, %rsp
	movw $0, (%rsp)
	movq $0, 2(%rsp)
	lidt (%rsp)
	movabs $0x8000000000000000, %rax
	mov (%rax), %rax
1:	jmp 1b

	.section .rodata
	.globl isr_stubs
	.align 8
isr_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33
	.quad isr_\v
	.endr

/* Kernel page tables, built at link time: the higher half maps the first
 * GiB of physical memory with 2 MiB pages (supervisor only). */
	.section .data.pagetables, "aw"
	.align 4096
	.globl kernel_pml4
kernel_pml4:
	.fill 511, 8, 0
	.quad kernel_pdpt - KERNEL_VBASE + 3
kernel_pdpt:
	.fill 510, 8, 0
	.quad kernel_pd - KERNEL_VBASE + 3
	.quad 0
kernel_pd:
	.set i, 0
	.rept 512
	.quad (i << 21) | 0x83
	.set i, i + 1
	.endr
