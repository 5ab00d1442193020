/* User-mode helpers: formatting into a line, identification. */
#include "ulib.h"

void say(struct line *l, const char *s) {
  while (*s && l->n < sizeof l->buf - 1) l->buf[l->n++] = *s++;
}

void say_num(struct line *l, uint64_t v) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i > 0 && l->n < sizeof l->buf - 1) l->buf[l->n++] = tmp[--i];
}

void say_end(struct line *l) {
  l->buf[l->n++] = '\n';
  write(l->buf, l->n);
  l->n = 0;
}

void say_self(struct line *l) {
  char name[TASK_COMM_LEN + 1] = {0};
  getname(name);
  say(l, name);
  say(l, ": ");
}

void announce(int cpu) {
  struct line l = {.n = 0};
  say_self(&l);
  say(&l, "pid ");
  say_num(&l, (uint64_t)getpid());
  say(&l, " started on cpu ");
  say_num(&l, (uint64_t)cpu);
  say_end(&l);
}

/* The compiler may emit calls to these for struct copies and clears. */
void *memset(void *d, int c, size_t n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}
