// lgworker: the Linux guest's workload, a static freestanding program
// (raw system calls, no libc). For ever: 100 getpid calls, a 4 KiB file
// written and read back in /tmp, a 4 KiB block written to the virtio
// disk /dev/vda and read back (O_DIRECT: each is one request to the
// device, not the page cache), a 20 ms sleep; once a second (monotonic
// clock) it prints its running totals on the console:
//   lgworker: getpid=N writes=N reads=N sleeps=N diskwrites=N diskreads=N diskerrors=N
// diskwrites/diskreads count whole 4 KiB transfers that succeeded (a read
// only when it returned what was written); diskerrors the rest. Without
// /dev/vda the disk counts stay 0. Host probes count what these report.
typedef unsigned long u64;
typedef long i64;

enum { SYS_read = 0, SYS_write = 1, SYS_open = 2, SYS_close = 3,
       SYS_lseek = 8, SYS_pread64 = 17, SYS_pwrite64 = 18, SYS_nanosleep = 35,
       SYS_getpid = 39, SYS_exit = 60, SYS_clock_gettime = 228 };
enum { O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000, O_DIRECT = 040000 };

static i64 sys3(i64 n, i64 a, i64 b, i64 c) {
  i64 r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
                   : "rcx", "r11", "memory");
  return r;
}

static i64 sys4(i64 n, i64 a, i64 b, i64 c, i64 d) {
  i64 r;
  register i64 r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return r;
}

struct timespec { i64 sec, nsec; };

static void put(const char* s, u64 n) { sys3(SYS_write, 1, (i64)s, (i64)n); }

static char* num(char* p, u64 v) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

static char* str(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

static u64 getpids, writes, reads, sleeps, diskWrites, diskReads, diskErrors;

static void report(void) {
  char line[128], *p = line;
  p = str(p, "lgworker: getpid=");
  p = num(p, getpids);
  p = str(p, " writes=");
  p = num(p, writes);
  p = str(p, " reads=");
  p = num(p, reads);
  p = str(p, " sleeps=");
  p = num(p, sleeps);
  p = str(p, " diskwrites=");
  p = num(p, diskWrites);
  p = str(p, " diskreads=");
  p = num(p, diskReads);
  p = str(p, " diskerrors=");
  p = num(p, diskErrors);
  *p++ = '\n';
  put(line, (u64)(p - line));
}

static i64 seconds(void) {
  struct timespec t = {0, 0};
  sys3(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (i64)&t, 0);
  return t.sec;
}

static char buf[4096];

static void fileRound(void) {
  i64 fd = sys3(SYS_open, (i64)"/tmp/lgworker.dat", O_RDWR | O_CREAT | O_TRUNC,
                0600);
  if (fd < 0) return;
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (char)(i + writes);
  if (sys3(SYS_write, fd, (i64)buf, sizeof buf) == (i64)sizeof buf) ++writes;
  sys3(SYS_lseek, fd, 0, 0);
  if (sys3(SYS_read, fd, (i64)buf, sizeof buf) == (i64)sizeof buf) ++reads;
  sys3(SYS_close, fd, 0, 0);
}

// O_DIRECT needs buffers aligned to the disk's block size.
static char block[4096] __attribute__((aligned(4096)));
static i64 disk = -1;

// One block of the disk's first 4 MiB written with a pattern of this
// round and read back (into the same buffer, cleared first).
static void diskRound(void) {
  if (disk < 0) return;
  u64 round = diskWrites + diskErrors;
  i64 offset = (i64)((round % 1024) * sizeof block);
  for (unsigned i = 0; i < sizeof block; ++i) block[i] = (char)(i * 7 + round);
  if (sys4(SYS_pwrite64, disk, (i64)block, sizeof block, offset) != (i64)sizeof block) {
    ++diskErrors;
    return;
  }
  ++diskWrites;
  for (unsigned i = 0; i < sizeof block; ++i) block[i] = 0;
  if (sys4(SYS_pread64, disk, (i64)block, sizeof block, offset) != (i64)sizeof block) {
    ++diskErrors;
    return;
  }
  for (unsigned i = 0; i < sizeof block; ++i)
    if (block[i] != (char)(i * 7 + round)) {
      ++diskErrors;
      return;
    }
  ++diskReads;
}

// The entry: the kernel starts us with RSP 16-byte aligned, not as after
// a call; align it and call the C loop.
__asm__(".globl _start\n_start:\n\tand $-16, %rsp\n\tcall lgmain\n\tud2\n");

void lgmain(void) __attribute__((noreturn, used));
void lgmain(void) {
  put("lgworker: started\n", 18);
  disk = sys3(SYS_open, (i64)"/dev/vda", O_RDWR | O_DIRECT, 0);
  i64 last = seconds();
  for (;;) {
    for (int i = 0; i < 100; ++i) {
      sys3(SYS_getpid, 0, 0, 0);
      ++getpids;
    }
    fileRound();
    diskRound();
    struct timespec t = {0, 20 * 1000 * 1000};
    if (sys3(SYS_nanosleep, (i64)&t, 0, 0) == 0) ++sleeps;
    i64 now = seconds();
    if (now != last) {
      last = now;
      report();
    }
  }
}
