/* Driver for the monitor's DMA disk (ports 0x510-0x52c, docs/platform.md).
 * One request at a time for the whole machine: the caller blocks until
 * the completion interrupt, which arrives on the CPU that issued it. */
#include "kernel.h"

static volatile int disk_busy;
static struct task *disk_owner;

struct frame *sys_disk(struct frame *f) {
  uint64_t op = f->rdi, lba = f->rsi, count = f->rdx, buf = f->r10;
  uint64_t bytes = count * 512;
  if ((op != 1 && op != 2) || count < 1 || count > 8 || buf < USER_DATA ||
      buf > USER_DATA + USER_DATA_SIZE - bytes ||
      lba >= shared_info.disk_sectors ||
      count > shared_info.disk_sectors - lba) {
    f->rax = (uint64_t)-22; /* EINVAL */
    return f;
  }
  if (__atomic_exchange_n(&disk_busy, 1, __ATOMIC_ACQUIRE)) {
    f->rax = (uint64_t)-16; /* EBUSY: another CPU's request runs */
    return f;
  }
  struct percpu *pc = this_cpu();
  disk_owner = pc->current;
  outl(0x510, (uint32_t)lba);
  outl(0x514, (uint32_t)(lba >> 32));
  outl(0x518, (uint32_t)count);
  outl(0x51c, (uint32_t)(pc->current->data_pa + (buf - USER_DATA)));
  outb(0x520, (uint8_t)op);
  return block_current(pc, T_DISK);
}

/* Vector 33: the request finished; wake its owner with 0 or -EIO. */
struct frame *disk_interrupt(struct frame *f) {
  struct percpu *pc = this_cpu();
  uint32_t status = inl(0x524);
  struct task *t = disk_owner;
  disk_owner = 0;
  __atomic_store_n(&disk_busy, 0, __ATOMIC_RELEASE);
  if (t && t->state == T_DISK) {
    t->frame->rax = status == 2 ? 0 : (uint64_t)-5;
    t->state = T_RUNNABLE;
  }
  return pc->current == pc->idle ? schedule(pc) : f;
}
