// lgworker: the Linux guest's workload, a static freestanding program
// (raw system calls, no libc). For ever: 100 getpid calls, a 4 KiB file
// written and read back in /tmp, a 4 KiB block written to the virtio
// disk /dev/vda and read back (O_DIRECT: each is one request to the
// device, not the page cache), one ICMP echo request (56 data bytes: a
// 98-byte Ethernet frame) to the slirp gateway 10.0.2.2 with the replies
// that arrived collected, some computing in user mode (a few ms: so that
// a CPU profile has lgworker on top, above the block layer's kworker its
// disk I/O wakes), a fork of a child that exits at once (waited for;
// counted in forks), a 20 ms sleep; once a second (monotonic clock)
// it prints its running totals on the console:
//   lgworker: getpid=N writes=N reads=N sleeps=N diskwrites=N diskreads=N diskerrors=N pingsent=N pingrecv=N forks=N
// diskwrites/diskreads count whole 4 KiB transfers that succeeded (a read
// only when it returned what was written); diskerrors the rest. Without
// /dev/vda the disk counts stay 0. pingsent counts echo requests the
// kernel accepted, pingrecv echo replies with our identifier; without a
// network (no eth0 route) both stay 0. Host probes count what these report.
typedef unsigned long u64;
typedef long i64;

enum { SYS_read = 0, SYS_write = 1, SYS_open = 2, SYS_close = 3,
       SYS_lseek = 8, SYS_pread64 = 17, SYS_pwrite64 = 18, SYS_nanosleep = 35,
       SYS_getpid = 39, SYS_socket = 41, SYS_sendto = 44, SYS_recvfrom = 45,
       SYS_fork = 57, SYS_exit = 60, SYS_wait4 = 61, SYS_clock_gettime = 228 };
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

static i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
  i64 r;
  register i64 r10 __asm__("r10") = d;
  register i64 r8 __asm__("r8") = e;
  register i64 r9 __asm__("r9") = f;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
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
static u64 pingSent, pingRecv, forks;

static void report(void) {
  char line[192], *p = line;
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
  p = str(p, " pingsent=");
  p = num(p, pingSent);
  p = str(p, " pingrecv=");
  p = num(p, pingRecv);
  p = str(p, " forks=");
  p = num(p, forks);
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

// A fixed amount of user-mode work, no system calls (3 million steps of
// a linear congruential generator: about 4 ms on a 3 GHz core).
static volatile u64 burnResult;
static void burnRound(void) {
  u64 x = getpids;
  for (int i = 0; i < 3000000; ++i) x = x * 6364136223846793005ul + 1442695040888963407ul;
  burnResult = x;
}

// A child that exits at once, waited for: the kernel switches to the
// child's address space and back (two CR3 loads a Guest_CR3Write probe
// can count).
static void forkRound(void) {
  i64 pid = sys3(SYS_fork, 0, 0, 0);
  if (pid == 0) sys3(SYS_exit, 0, 0, 0);
  if (pid > 0 && sys4(SYS_wait4, pid, 0, 0, 0) == pid) ++forks;
}

static i64 sock = -1;
enum { kIcmpId = 0x4c47, kPingData = 56 };

static unsigned short checksum(const unsigned char* b, unsigned n) {
  u64 sum = 0;
  for (unsigned i = 0; i + 1 < n; i += 2) sum += (u64)(b[i] | b[i + 1] << 8);
  if (n & 1) sum += b[n - 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (unsigned short)~sum;
}

// One echo request to 10.0.2.2 (slirp answers it itself), then every
// reply already queued on the raw socket.
static void pingRound(void) {
  if (sock < 0) return;
  unsigned char pkt[8 + kPingData];
  for (unsigned i = 0; i < sizeof pkt; ++i) pkt[i] = (unsigned char)i;
  pkt[0] = 8;  // echo request
  pkt[1] = pkt[2] = pkt[3] = 0;
  pkt[4] = kIcmpId >> 8, pkt[5] = kIcmpId & 0xff;
  pkt[6] = (unsigned char)(pingSent >> 8), pkt[7] = (unsigned char)pingSent;
  unsigned short c = checksum(pkt, sizeof pkt);
  pkt[2] = (unsigned char)c, pkt[3] = (unsigned char)(c >> 8);
  // struct sockaddr_in: AF_INET, port 0, 10.0.2.2.
  unsigned char to[16] = {2, 0, 0, 0, 10, 0, 2, 2};
  i64 r = sys6(SYS_sendto, sock, (i64)pkt, sizeof pkt, 0, (i64)to, sizeof to);
  if (r == (i64)sizeof pkt) ++pingSent;
  unsigned char in[256];
  // Raw ICMP sockets return the IP header (IHL words) then the ICMP message.
  while ((r = sys6(SYS_recvfrom, sock, (i64)in, sizeof in, 0, 0, 0)) >= 28) {
    unsigned ihl = (in[0] & 15u) * 4;
    if ((u64)r >= ihl + 8 && in[ihl] == 0 && in[ihl + 4] == (kIcmpId >> 8) &&
        in[ihl + 5] == (kIcmpId & 0xff))
      ++pingRecv;
  }
}

// The entry: the kernel starts us with RSP 16-byte aligned, not as after
// a call; align it and call the C loop.
__asm__(".globl _start\n_start:\n\tand $-16, %rsp\n\tcall lgmain\n\tud2\n");

void lgmain(void) __attribute__((noreturn, used));
void lgmain(void) {
  put("lgworker: started\n", 18);
  disk = sys3(SYS_open, (i64)"/dev/vda", O_RDWR | O_DIRECT, 0);
  sock = sys3(SYS_socket, 2 /* AF_INET */, 3 /* SOCK_RAW */ | 04000 /* NONBLOCK */,
              1 /* IPPROTO_ICMP */);
  i64 last = seconds();
  for (;;) {
    for (int i = 0; i < 100; ++i) {
      sys3(SYS_getpid, 0, 0, 0);
      ++getpids;
    }
    fileRound();
    diskRound();
    pingRound();
    burnRound();
    forkRound();
    struct timespec t = {0, 20 * 1000 * 1000};
    if (sys3(SYS_nanosleep, (i64)&t, 0, 0) == 0) ++sleeps;
    i64 now = seconds();
    if (now != last) {
      last = now;
      report();
    }
  }
}
