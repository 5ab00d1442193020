/* Memory: each process's page tables, its data and stack pages, and a
 * pool of physical pages for the demand-paged heap. All tables live in
 * .bss, which the monitor zeroes when it loads the image: the kernel never
 * clears a page itself (every kernel instruction may be emulated). */
#include "kernel.h"

#define PTE_P 1
#define PTE_W 2
#define PTE_U 4
#define PAGE 4096

/* Per process: PML4, PDPT, PD, PT; data and stack pages. */
static uint64_t proc_tables[MAX_TASKS][4][512] __attribute__((aligned(PAGE)));
static uint8_t proc_data[MAX_TASKS][USER_DATA_SIZE] __attribute__((aligned(PAGE)));
static uint8_t proc_stack[MAX_TASKS][USER_STACK_SIZE] __attribute__((aligned(PAGE)));
struct shared_info shared_info __attribute__((aligned(PAGE)));

/* Heap pool: pages never handed out yet are taken from `pool_next`;
 * returned ones are kept on a stack. */
#define POOL_MAX 4096
static uint32_t pool_free[POOL_MAX];
static uint32_t pool_nfree;
static uint64_t pool_next, pool_end;
static volatile int pool_lock;
extern uint8_t kernel_end[];

static void lock(volatile int *l) {
  while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) __asm__ volatile("pause");
}
static void unlock(volatile int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

uint64_t ram_size;

void mm_init(uint64_t ram_bytes) {
  ram_size = ram_bytes;
  pool_next = (V2P(kernel_end) + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  uint64_t limit = ram_bytes < (1ull << 30) ? ram_bytes : (1ull << 30);
  pool_end = pool_next + (uint64_t)POOL_MAX * PAGE;
  if (pool_end > limit) pool_end = limit;
}

static uint64_t page_alloc(void) {
  uint64_t pa = 0;
  lock(&pool_lock);
  if (pool_nfree)
    pa = (uint64_t)pool_free[--pool_nfree] << 12;
  else if (pool_next < pool_end) {
    pa = pool_next;
    pool_next += PAGE;
  }
  unlock(&pool_lock);
  return pa;
}

static void page_free(uint64_t pa) {
  lock(&pool_lock);
  if (pool_nfree < POOL_MAX) pool_free[pool_nfree++] = (uint32_t)(pa >> 12);
  unlock(&pool_lock);
}

static void map_range(uint64_t *pt, uint64_t va, uint64_t pa, uint64_t len,
                      uint64_t flags) {
  for (uint64_t off = 0; off < len; off += PAGE)
    pt[((va + off) >> 12) & 511] = (pa + off) | flags;
}

/* Address space of task slot `slot`: user code and the info page
 * read-only, data and stack writable, the heap empty (page faults fill
 * it), the kernel half shared (supervisor only). */
int map_user_space(struct task *t, uint32_t slot) {
  uint64_t *pml4 = proc_tables[slot][0], *pdpt = proc_tables[slot][1];
  uint64_t *pd = proc_tables[slot][2], *pt = proc_tables[slot][3];
  uint64_t code_len = (uint64_t)(user_image_end - user_image);
  if (code_len > USER_CODE_MAX) return -1;
  pml4[0] = V2P(pdpt) | PTE_P | PTE_W | PTE_U;
  pml4[511] = kernel_pml4[511];
  pdpt[0] = V2P(pd) | PTE_P | PTE_W | PTE_U;
  pd[(USER_CODE >> 21) & 511] = V2P(pt) | PTE_P | PTE_W | PTE_U;
  map_range(pt, USER_CODE, V2P(user_image), code_len, PTE_P | PTE_U);
  map_range(pt, USER_INFO, V2P(&shared_info), PAGE, PTE_P | PTE_U);
  map_range(pt, USER_DATA, V2P(proc_data[slot]), USER_DATA_SIZE,
            PTE_P | PTE_W | PTE_U);
  map_range(pt, USER_STACK_TOP - USER_STACK_SIZE, V2P(proc_stack[slot]),
            USER_STACK_SIZE, PTE_P | PTE_W | PTE_U);
  /* No RAM behind it: each access is an MMIO exit (mmioer). */
  map_range(pt, USER_MMIO, MMIO_SCRATCH_PA, PAGE, PTE_P | PTE_W | PTE_U);
  t->cr3 = V2P(pml4);
  t->pt = pt;
  t->data_pa = V2P(proc_data[slot]);
  return 0;
}

/* #PF: a not-present fault on a user heap page maps a pool page there;
 * anything else kills the process (or panics, from kernel mode). */
struct frame *page_fault(struct frame *f) {
  uint64_t addr = read_cr2();
  if (!(f->cs & 3)) panic("page fault in kernel mode", f);
  if ((f->error & PTE_P) || addr < USER_HEAP || addr >= USER_HEAP_END)
    return kill_current(f, "page fault outside the heap");
  uint64_t pa = page_alloc();
  if (!pa) return kill_current(f, "out of heap pages");
  this_cpu()->current->pt[(addr >> 12) & 511] = pa | PTE_P | PTE_W | PTE_U;
  return f; /* not-present entries are not cached: no flush needed */
}

/* Unmaps the heap pages in [addr, addr+len); returns how many were
 * mapped. One CR3 reload flushes them all. */
int64_t sys_munmap(uint64_t addr, uint64_t len) {
  if ((addr & (PAGE - 1)) || addr < USER_HEAP || addr > USER_HEAP_END ||
      len > USER_HEAP_END - addr)
    return -22; /* EINVAL */
  uint64_t *pt = this_cpu()->current->pt;
  int64_t n = 0;
  for (uint64_t va = addr; va < addr + len; va += PAGE) {
    uint64_t *e = &pt[(va >> 12) & 511];
    if (*e & PTE_P) {
      page_free(*e & 0x000ffffffffff000ull);
      *e = 0;
      n++;
    }
  }
  if (n) write_cr3(this_cpu()->current->cr3);
  return n;
}
