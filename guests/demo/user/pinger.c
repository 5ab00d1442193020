/* pinger: ICMP echo to slirp's gateway over ethernet0, about 9 rounds a
 * second: ARP for 10.0.2.2 until it answers, then one echo request per
 * round (a 98-byte frame, as `ping` sends), counting the replies. Frames
 * go through the kernel's driver (system calls 11 and 12), built here in
 * user mode where code runs at full speed. The frames sent and received
 * are reported once per second, for tests to compare with MAC_* probes
 * (the kernel counts the same frames in the shared info page). */
#include "ulib.h"

#define GUEST_IP 0x0a00020fu   /* 10.0.2.15, slirp's first DHCP address */
#define GATEWAY_IP 0x0a000202u /* 10.0.2.2, slirp itself */
#define ECHO_ID 0x5650
#define ECHO_DATA 56
#define ECHO_FRAME (14 + 20 + 8 + ECHO_DATA)

struct pinger {
  uint8_t mac[6], gateway[6];
  int have_gateway;
  uint64_t sent, received, requests, replies;
  uint8_t *tx, *rx; /* frame buffers in the data area (the kernel's rule) */
};

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, v >> 16);
  put16(p + 2, v);
}
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }
static void copy6(uint8_t *d, const uint8_t *s) {
  for (int i = 0; i < 6; i++) d[i] = s[i];
}

/* The Internet checksum (RFC 1071) of n bytes (n even). */
static uint32_t checksum(const uint8_t *p, uint32_t n) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < n; i += 2) sum += get16(p + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

static void ethernet(struct pinger *p, const uint8_t *dst, uint32_t type) {
  copy6(p->tx, dst);
  copy6(p->tx + 6, p->mac);
  put16(p->tx + 12, type);
}

static void send(struct pinger *p, uint64_t len) {
  if (net_send(p->tx, len) == (int64_t)len) p->sent++;
}

/* ARP (RFC 826) for Ethernet and IPv4: op 1 request, 2 reply. */
static void arp(struct pinger *p, uint32_t op, const uint8_t *to_mac,
                uint32_t to_ip) {
  static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const uint8_t unknown[6] = {0};
  ethernet(p, op == 1 ? broadcast : to_mac, 0x0806);
  uint8_t *a = p->tx + 14;
  put16(a, 1);
  put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, op);
  copy6(a + 8, p->mac);
  put32(a + 14, GUEST_IP);
  copy6(a + 18, op == 1 ? unknown : to_mac);
  put32(a + 24, to_ip);
  send(p, 14 + 28);
}

static void echo_request(struct pinger *p, uint32_t seq) {
  ethernet(p, p->gateway, 0x0800);
  uint8_t *ip = p->tx + 14, *icmp = ip + 20;
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, 20 + 8 + ECHO_DATA);
  put16(ip + 4, seq);
  put16(ip + 6, 0x4000); /* don't fragment */
  ip[8] = 64;
  ip[9] = 1; /* ICMP */
  put16(ip + 10, 0);
  put32(ip + 12, GUEST_IP);
  put32(ip + 16, GATEWAY_IP);
  put16(ip + 10, checksum(ip, 20));
  icmp[0] = 8; /* echo request */
  icmp[1] = 0;
  put16(icmp + 2, 0);
  put16(icmp + 4, ECHO_ID);
  put16(icmp + 6, seq);
  for (int i = 0; i < ECHO_DATA; i++) icmp[8 + i] = (uint8_t)(seq + i);
  put16(icmp + 2, checksum(icmp, 8 + ECHO_DATA));
  send(p, ECHO_FRAME);
  p->requests++;
}

static void handle_arp(struct pinger *p, const uint8_t *a) {
  if (get16(a) != 1 || get16(a + 2) != 0x0800) return;
  if (get16(a + 6) == 2 && get32(a + 14) == GATEWAY_IP) {
    copy6(p->gateway, a + 8);
    p->have_gateway = 1;
  } else if (get16(a + 6) == 1 && get32(a + 24) == GUEST_IP) {
    uint8_t who[6];
    copy6(who, a + 8);
    arp(p, 2, who, get32(a + 14)); /* slirp asking for us */
  }
}

/* Every frame that arrived since the last round. */
static void drain(struct pinger *p) {
  int64_t n;
  while ((n = net_recv(p->rx, 2048)) > 0) {
    p->received++;
    const uint8_t *f = p->rx;
    uint32_t type = n >= 14 ? get16(f + 12) : 0;
    if (type == 0x0806 && n >= 14 + 28) handle_arp(p, f + 14);
    if (type == 0x0800 && n >= 14 + 28 && f[14 + 9] == 1 && f[34] == 0 &&
        get16(f + 38) == ECHO_ID)
      p->replies++;
  }
}

static void report(const struct pinger *p) {
  struct line l = {.n = 0};
  say(&l, "pinger: ");
  say_num(&l, p->sent);
  say(&l, " frames sent, ");
  say_num(&l, p->received);
  say(&l, " received, ");
  say_num(&l, p->requests);
  say(&l, " echo requests, ");
  say_num(&l, p->replies);
  say(&l, " echo replies");
  say_end(&l);
}

void pinger_main(int cpu) {
  announce(cpu);
  struct pinger p = {.tx = (uint8_t *)USER_DATA, .rx = (uint8_t *)(USER_DATA + 2048)};
  if (!info()->net_present) {
    write("pinger: no network adapter\n", 27);
    for (;;) sleep_ticks(1000);
  }
  copy6(p.mac, info()->net_mac);
  uint64_t hz = info()->hz, t0 = ticks(cpu);
  for (uint32_t seq = 1;; ) {
    drain(&p);
    if (p.have_gateway) echo_request(&p, seq++);
    else arp(&p, 1, 0, GATEWAY_IP);
    sleep_ticks(hz / 10 + 1);
    if (ticks(cpu) - t0 >= hz) {
      report(&p);
      t0 = ticks(cpu);
    }
  }
}
