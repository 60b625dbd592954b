/* strbuf.h: a growable NUL-terminated byte string. */
#ifndef MLC_STRBUF_H
#define MLC_STRBUF_H
#include <stddef.h>

struct strbuf {
	char *buf; /* always NUL-terminated once anything is added; NULL when empty */
	size_t len, cap;
};

void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents ("" when empty); owned by sb. */
const char *sb_str(const struct strbuf *sb);
/* Hand the buffer to the caller (who frees it) and reset sb. */
char *sb_detach(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
