/* Driver for ethernet0, the monitor's virtio network adapter (legacy
 * virtio-pci 1af4:1000, docs/platform.md "The virtio network adapter"):
 * found on the PCI bus at boot, receive queue 0 and transmit queue 1,
 * the MAC address from its configuration. The demo platform gives the
 * adapter no interrupt, so nothing runs behind the processes' backs: the
 * receive queue's used ring is polled when a process asks for a frame
 * (system call 12), and transmit buffers are reclaimed when it sends one
 * (system call 11). One CPU at a time drives it (net_busy), like the disk.
 * shared_info counts the frames, for tests to compare with MAC_* probes. */
#include "kernel.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_NET_DEVICE 0x1000

/* The legacy register block, BAR0 (virtio 1.0, 4.1.4.8). */
enum { R_DEV_FEATURES = 0x00, R_DRV_FEATURES = 0x04, R_QUEUE_PFN = 0x08,
       R_QUEUE_SIZE = 0x0c, R_QUEUE_SEL = 0x0e, R_QUEUE_NOTIFY = 0x10,
       R_STATUS = 0x12, R_CONFIG = 0x14 };
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FAILED = 0x80 };
#define F_MAC (1u << 5)
#define DESC_F_WRITE 2
#define AVAIL_F_NO_INTERRUPT 1
#define RXQ 0
#define TXQ 1

#define HDR 10 /* legacy virtio_net_hdr, no mergeable buffers */
#define MAX_FRAME 1514
#define BUF_BYTES 2048
#define NRX 16
#define NTX 8
#define QMAX 256 /* the largest queue the ring memory below holds */
#define RING_BYTES (3 * 4096)

_Static_assert(offsetof(struct shared_info, net_sent) == 80, "README layout");
_Static_assert(offsetof(struct shared_info, net_mac) == 96, "README layout");

struct desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
struct used_elem {
  uint32_t id, len;
};

/* A queue in the legacy layout: descriptors, then the available ring
 * (flags, idx, ring[size]), then at the next page the used ring. */
struct queue {
  uint16_t size, avail_idx, last_used;
  struct desc *desc;
  volatile uint16_t *avail;
  volatile uint16_t *used; /* flags, idx, then the elements */
};

static uint8_t rings[2][RING_BYTES] __attribute__((aligned(4096)));
static uint8_t rxbufs[NRX][BUF_BYTES] __attribute__((aligned(64)));
static uint8_t txbufs[NTX][BUF_BYTES] __attribute__((aligned(64)));
static struct queue queues[2];
static uint16_t iobase;
static volatile int net_busy;

static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static volatile struct used_elem *used_elem(struct queue *q, uint16_t i) {
  return (volatile struct used_elem *)(q->used + 2) + i % q->size;
}

static int setup_queue(uint16_t index) {
  struct queue *q = &queues[index];
  outw(iobase + R_QUEUE_SEL, index);
  uint16_t size = inw(iobase + R_QUEUE_SIZE);
  if (!size || size > QMAX || (size & (size - 1))) return 0;
  uint8_t *base = rings[index];
  uint64_t used_off = (16ull * size + 6 + 2ull * size + 4095) & ~4095ull;
  q->size = size;
  q->desc = (struct desc *)base;
  q->avail = (volatile uint16_t *)(base + 16ull * size);
  q->used = (volatile uint16_t *)(base + used_off);
  q->avail[0] = AVAIL_F_NO_INTERRUPT; /* polled */
  outl(iobase + R_QUEUE_PFN, (uint32_t)(V2P(base) >> 12));
  return 1;
}

/* Makes descriptor `d` the next available chain of `q`. */
static void post(struct queue *q, uint16_t d) {
  q->avail[2 + q->avail_idx % q->size] = d;
  barrier(); /* the entry before the index (x86 keeps stores in order) */
  q->avail[1] = ++q->avail_idx;
}

static void fill_receive_queue(void) {
  struct queue *q = &queues[RXQ];
  for (uint16_t i = 0; i < NRX; i++) {
    q->desc[i] = (struct desc){V2P(rxbufs[i]), BUF_BYTES, DESC_F_WRITE, 0};
    post(q, i);
  }
}

static int start_device(int slot) {
  uint32_t bar = pci_read32((uint32_t)slot, 0x10);
  if (!(bar & 1)) return 0; /* not an I/O BAR */
  iobase = (uint16_t)(bar & 0xfffc);
  pci_write16((uint32_t)slot, 0x04, 0x0005); /* I/O decoding, bus master */
  outb(iobase + R_STATUS, 0);                /* reset */
  outb(iobase + R_STATUS, S_ACK | S_DRIVER);
  if (!(inl(iobase + R_DEV_FEATURES) & F_MAC)) return 0;
  outl(iobase + R_DRV_FEATURES, F_MAC);
  if (!setup_queue(RXQ) || !setup_queue(TXQ)) return 0;
  for (int i = 0; i < 6; i++) shared_info.net_mac[i] = inb(iobase + R_CONFIG + i);
  fill_receive_queue();
  outb(iobase + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
  outw(iobase + R_QUEUE_NOTIFY, RXQ);
  return 1;
}

int net_init(void) {
  int slot = pci_find(VIRTIO_VENDOR, VIRTIO_NET_DEVICE);
  if (slot < 0) return 0;
  if (!start_device(slot)) {
    if (iobase) outb(iobase + R_STATUS, S_FAILED);
    iobase = 0;
    kprint("kernel: ethernet0: the virtio network adapter refused its setup\n");
    return 0;
  }
  shared_info.net_present = 1;
  kprint_num("kernel: ethernet0: virtio network adapter in PCI slot ", (uint64_t)slot,
             ", polled\n");
  return 1;
}

/* A frame buffer of a process: in its data area, which is always mapped. */
static int data_range(uint64_t buf, uint64_t len) {
  return buf >= USER_DATA && len <= USER_DATA_SIZE &&
         buf <= USER_DATA + USER_DATA_SIZE - len;
}

static int64_t send_locked(uint64_t buf, uint64_t len) {
  struct queue *q = &queues[TXQ];
  /* The device returns transmit chains in the order it took them, so
   * the used index alone says which buffers are free again. */
  if ((uint16_t)(q->avail_idx - q->used[1]) >= NTX) return -11; /* EAGAIN */
  uint16_t d = q->avail_idx % NTX;
  memset(txbufs[d], 0, HDR);
  memcpy(txbufs[d] + HDR, (const void *)buf, len);
  q->desc[d] = (struct desc){V2P(txbufs[d]), (uint32_t)(HDR + len), 0, 0};
  post(q, d);
  outw(iobase + R_QUEUE_NOTIFY, TXQ);
  shared_info.net_sent++;
  return (int64_t)len;
}

/* The next received frame into buf (at most len bytes of it); its
 * length, or 0 when none has arrived. */
static int64_t receive_locked(uint64_t buf, uint64_t len) {
  struct queue *q = &queues[RXQ];
  while (q->used[1] != q->last_used) {
    barrier(); /* the element after the index */
    volatile struct used_elem *e = used_elem(q, q->last_used++);
    uint32_t id = e->id, n = e->len;
    if (id >= NRX) continue; /* not a chain of ours: never so */
    uint64_t frame = n > HDR ? n - HDR : 0;
    if (frame > BUF_BYTES - HDR) frame = BUF_BYTES - HDR;
    memcpy((void *)buf, rxbufs[id] + HDR, frame < len ? frame : len);
    post(q, (uint16_t)id);
    outw(iobase + R_QUEUE_NOTIFY, RXQ);
    if (!frame) continue; /* dropped by the device (too small a buffer) */
    shared_info.net_received++;
    return (int64_t)frame;
  }
  return 0;
}

/* System calls 11 and 12: -ENODEV without an adapter, -EINVAL for a
 * buffer outside the data area (or a frame of a bad length), -EBUSY
 * while another CPU drives the adapter. */
int64_t sys_net(int send, uint64_t buf, uint64_t len) {
  if (!iobase) return -19;
  if (!data_range(buf, len) || (send && (len < 14 || len > MAX_FRAME))) return -22;
  if (__atomic_exchange_n(&net_busy, 1, __ATOMIC_ACQUIRE)) return -16;
  int64_t r = send ? send_locked(buf, len) : receive_locked(buf, len);
  __atomic_store_n(&net_busy, 0, __ATOMIC_RELEASE);
  return r;
}
