/* The SMM handler and the SMIs of `smier` (README, "SMM").
 *
 * SMRAM is the platform's default: SMBASE 0x30000, the handler at
 * 0x38000, entered in 16-bit real-mode-like state with CS base = SMBASE
 * (docs/platform.md). The handler counts its runs in a word it keeps in
 * SMRAM and returns with rsm, leaving every general register as it found
 * it: an SMI's probes see the raiser's RAX throughout. */
#include "kernel.h"

#define SMM_HANDLER 0x38000
#define SMM_COUNT 0x38100 /* cs:0x8100 from the handler */

static const uint8_t handler[] = {
    0x66, 0x2e, 0xff, 0x06, 0x00, 0x81, /* inc dword cs:[0x8100] */
    0x0f, 0xaa,                         /* rsm */
};

void smm_install(void) {
  volatile uint8_t *code = P2V(SMM_HANDLER);
  for (uint32_t i = 0; i < sizeof handler; i++) code[i] = handler[i];
  *(volatile uint32_t *)P2V(SMM_COUNT) = 0;
}

/* The write to the APM control port raises the SMI (on the monitor's
 * platform); it is handled before the next instruction. */
uint64_t sys_smi(uint64_t seq) {
  __asm__ volatile("outb %%al, $0xb2" ::"a"(seq) : "memory");
  return *(volatile uint32_t *)P2V(SMM_COUNT);
}
