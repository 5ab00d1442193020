/* Kernel output on COM1. One `rep outsb` per call: a single instruction
 * however long the text (KVM still exits to the monitor once per byte). */
#include "kernel.h"

void kwrite(const char *s, uint64_t len) {
  __asm__ volatile("rep outsb" : "+S"(s), "+c"(len) : "d"(0x3f8) : "memory");
}

void kprint(const char *s) {
  uint64_t n = 0;
  while (s[n]) n++;
  kwrite(s, n);
}

/* prefix, v in decimal, suffix: enough for the kernel's few messages. */
void kprint_num(const char *prefix, uint64_t v, const char *suffix) {
  char buf[24];
  int i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v && i > 0);
  kprint(prefix);
  kwrite(buf + i, sizeof buf - (uint64_t)i);
  kprint(suffix);
}

_Noreturn void panic(const char *what, struct frame *f) {
  kprint("kernel: PANIC: ");
  kprint(what);
  if (f) {
    kprint_num(" vector ", f->vector, "");
    kprint_num(" error ", f->error, "");
    kprint_num(" rip ", f->rip, "");
  }
  kprint("\n");
  outl(0x5f0, 3); /* power off with code 3 */
  for (;;) __asm__ volatile("cli; hlt");
}
