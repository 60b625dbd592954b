/* sanitize.h: make an external string safe to show on a terminal. Control
 * characters, ESC, C1 controls, bidi overrides and invalid UTF-8 are shown
 * escaped (\x1b, \u202e), never emitted. */
#ifndef MLC_SANITIZE_H
#define MLC_SANITIZE_H
#include <stddef.h>
#include <stdint.h>
#include "strbuf.h"

/* Append the safe form of s (NULL is "") to sb. Newlines and tabs are escaped
 * too (one-line display). */
void sanitize_append(struct strbuf *sb, const char *s);
/* The safe form of s; caller frees. */
char *sanitize_dup(const char *s);
/* 1 if s needs no escaping. */
int sanitize_is_clean(const char *s);
/* The length of the valid UTF-8 sequence at s (len bytes left) with its code
 * point in *cp, or 0 when the bytes there are not UTF-8 (overlongs, surrogates
 * and past U+10FFFF are not). */
size_t sanitize_utf8_char(const char *s, size_t len, uint32_t *cp);
/* 1 if code point cp is one the sanitiser escapes (controls, DEL, C1, bidi). */
int sanitize_unsafe_char(uint32_t cp);

#endif
