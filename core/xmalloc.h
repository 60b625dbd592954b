/* xmalloc.h: allocation that aborts with a message on out-of-memory, so callers
 * need not check (as tmux and git do). */
#ifndef MLC_XMALLOC_H
#define MLC_XMALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf that aborts on failure; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
