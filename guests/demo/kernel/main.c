/* Boot: the bootstrap CPU sets up what is shared (command line, IDT,
 * tasks, address spaces) while the others wait; then every CPU loads its
 * GDT/TSS/IDT/MSRs, starts its timer and enters its first task. */
#include "kernel.h"

struct percpu percpus[MAX_CPUS];
uint8_t boot_stacks[MAX_CPUS][8192] __attribute__((aligned(16)));
static volatile int boot_done;
static char cmdline[256];

static void banner(const struct bootinfo *bi, uint32_t ncpus) {
  kprint_num("demo kernel: ", ncpus, " cpus, ");
  kprint_num("", bi->ram_bytes >> 20, " MiB RAM, ");
  kprint_num("disk ", bi->disk_sectors, " sectors, cmdline '");
  kprint(cmdline);
  kprint("'\n");
}

static void start_processes(uint32_t ncpus) {
  static const char *const names[NR_PROGS] = {
      "sysloop", "disker", "porter", "pager", "cruncher", "outbench",
      "compute", "caller", "poker", "ucallbench", "yielder", "smier", "mmioer",
    "faulter", "pinger", "hport", "hmmio", "smcer", "excer", "hpt", "hidt", "htf"};
  const struct user_table *ut = (const struct user_table *)user_image;
  if (ut->magic != USER_MAGIC) panic("user program table missing", 0);
  uint32_t k = 0;
  for (uint32_t p = 0; p < NR_PROGS; p++) {
    if (!(opts.progs & (1u << p))) continue;
    /* Port I/O processes get IOPL 3: their `out`s exit to the monitor
     * directly instead of faulting. */
    int io = p == PROG_PORTER || p == PROG_OUTBENCH || p == PROG_HPORT;
    /* `caller` runs on every CPU: probes must fire on each vCPU.
     * `yielder`: two per CPU, handing the CPU to each other. */
    uint32_t copies = p == PROG_CALLER ? ncpus : p == PROG_YIELDER ? 2 * ncpus : 1;
    for (uint32_t c = 0; c < copies; c++) {
      struct task *t = task_create(names[p], k++ % ncpus, ut->entry[p],
                                   io ? 0x3202 : 0x202);
      if (!t) panic("cannot create a process", 0);
      t->skip_faults = p == PROG_EXCER;
      t->all_ports = io;
    }
  }
}

static void boot(const struct bootinfo *bi) {
  if (bi->magic != 0x49425056) panic("bad boot information", 0);
  for (int i = 0; i < 255 && bi->cmdline[i]; i++) cmdline[i] = bi->cmdline[i];
  parse_cmdline(cmdline);
  uint32_t ncpus = bi->ncpus < MAX_CPUS ? bi->ncpus : MAX_CPUS;
  banner(bi, ncpus);
  shared_info.hz = opts.hz;
  shared_info.ncpus = ncpus;
  shared_info.disk_sectors = bi->disk_sectors;
  mm_init(bi->ram_bytes);
  smm_install();
  if (!net_init()) opts.progs &= ~(1u << PROG_PINGER); /* no ethernet0 */
  setup_idt();
  for (uint32_t c = 0; c < ncpus; c++) idle_create(c);
  start_processes(ncpus);
  outb(0x521, VEC_DISK); /* disk completion vector */
}

_Noreturn void kmain(uint64_t cpu, uint64_t bootinfo_pa) {
  if (cpu >= MAX_CPUS)
    for (;;) __asm__ volatile("cli; hlt"); /* more vCPUs than we use */
  percpus[cpu].self = &percpus[cpu];
  percpus[cpu].cpu = (uint32_t)cpu;
  if (cpu == 0) {
    boot((const struct bootinfo *)P2V(bootinfo_pa));
    __atomic_store_n(&boot_done, 1, __ATOMIC_RELEASE);
  } else {
    while (!__atomic_load_n(&boot_done, __ATOMIC_ACQUIRE))
      __asm__ volatile("pause");
  }
  setup_cpu((uint32_t)cpu);
  outb(0x504, VEC_TIMER);
  outl(0x500, 1000000 / opts.hz);
  if (cpu == 0 && opts.triplefault) {
    kprint("kernel: triple fault requested\n");
    triple_fault();
  }
  kprint_num("kernel: cpu ", cpu, " up\n");
  enter_frame(schedule(&percpus[cpu]));
}
