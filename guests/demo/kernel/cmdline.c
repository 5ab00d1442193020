/* Command line (boot information): workload options, see README.md. */
#include "kernel.h"

struct options opts;

static int word_is(const char *w, uint32_t n, const char *lit) {
  uint32_t i = 0;
  for (; i < n && lit[i]; i++)
    if (w[i] != lit[i]) return 0;
  return i == n && !lit[i];
}

static uint32_t number(const char *s, uint32_t n) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
    v = v * 10 + (uint32_t)(s[i] - '0');
  return v;
}

static const char *const prog_names[] = {
    "sysloop", "disker", "porter", "pager", "cruncher", "outbench",
    "compute", "caller", "poker", "ucallbench", "yielder", "smier", "mmioer",
    "faulter", "pinger", "hport", "hmmio", "smcer", "excer", "hpt", "hidt", "htf"};

/* procs=a,b,c: run only these processes of the default mix. */
static uint32_t parse_procs(const char *s, uint32_t n) {
  uint32_t mask = 0, start = 0;
  for (uint32_t i = 0; i <= n; i++) {
    if (i < n && s[i] != ',') continue;
    for (uint32_t p = 0; p < NR_PROGS; p++)
      if (word_is(s + start, i - start, prog_names[p])) mask |= 1u << p;
    start = i + 1;
  }
  return mask;
}

/* hostile=a,b: the attacks (README, "Hostile mode") and the process that
 * makes each; `caller` always runs beside them, checking its results. */
static const struct {
  const char *name;
  uint32_t prog;
} attacks[] = {{"port", PROG_HPORT}, {"mmio", PROG_HMMIO}, {"smc", PROG_SMCER},
               {"exc", PROG_EXCER},  {"cr3", PROG_YIELDER}, {"pt", PROG_HPT},
               {"idt", PROG_HIDT},   {"tf", PROG_HTF}};
#define NR_ATTACKS (sizeof attacks / sizeof attacks[0])

static uint32_t parse_hostile(const char *s, uint32_t n) {
  uint32_t mask = 1u << PROG_CALLER, start = 0;
  for (uint32_t i = 0; i <= n; i++) {
    if (i < n && s[i] != ',') continue;
    for (uint32_t a = 0; a < NR_ATTACKS; a++)
      if (n == 0 || word_is(s + start, i - start, attacks[a].name))
        mask |= 1u << attacks[a].prog;
    start = i + 1;
  }
  return mask;
}

void parse_cmdline(const char *c) {
  opts.hz = 100;
  opts.progs = (1u << PROG_SYSLOOP) | (1u << PROG_DISKER) |
               (1u << PROG_PORTER) | (1u << PROG_PAGER) |
               (1u << PROG_CRUNCHER) | (1u << PROG_PINGER);
  for (uint32_t i = 0; i < 255 && c[i];) {
    while (c[i] == ' ') i++;
    uint32_t n = 0;
    while (i + n < 255 && c[i + n] && c[i + n] != ' ') n++;
    const char *w = c + i;
    if (word_is(w, n, "bench=out"))
      opts.progs = 1u << PROG_OUTBENCH;
    else if (word_is(w, n, "bench=ucall"))
      opts.progs = 1u << PROG_UCALLBENCH;
    else if (word_is(w, n, "bench=yield"))
      opts.progs = 1u << PROG_YIELDER;
    else if (word_is(w, n, "bench=compute"))
      opts.progs = 1u << PROG_COMPUTE;
    else if (word_is(w, n, "hostile")) {
      opts.hostile = 1;
      opts.progs = parse_hostile(w, 0);
    } else if (n > 8 && word_is(w, 8, "hostile=")) {
      opts.hostile = 1;
      opts.progs = parse_hostile(w + 8, n - 8);
    } else if (word_is(w, n, "triplefault"))
      opts.triplefault = 1;
    else if (n > 3 && word_is(w, 3, "hz="))
      opts.hz = number(w + 3, n - 3);
    else if (n > 6 && word_is(w, 6, "procs="))
      opts.progs = parse_procs(w + 6, n - 6);
    i += n;
  }
  if (opts.hz < 1 || opts.hz > 1000) opts.hz = 100;
}
