/* sanitize.c: escape what must never reach a terminal raw — C0/C1 controls,
 * DEL, ESC, bidi overrides and invalid UTF-8 — so hostile registry strings
 * cannot move the cursor, retitle the window or reorder text. */
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "sanitize.h"

/* Decode one UTF-8 sequence at s (len bytes left). Returns its length and the
 * code point in *cp, or 0 when the bytes are not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* Overlongs, surrogates and beyond U+10FFFF are invalid. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* 1 if code point c must be shown escaped. */
static int is_unsafe(uint32_t c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
}

void sanitize_append(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);
	char esc[16];

	while (len > 0) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);

		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", p[0]);
			sb_add(sb, esc);
			n = 1;
		} else if (is_unsafe(cp)) {
			if (cp < 0x100)
				snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
			else
				snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			sb_add(sb, esc);
		} else {
			sb_addn(sb, (const char *)p, n);
		}
		p += n;
		len -= n;
	}
	if (sb->buf == NULL)
		sb_addn(sb, "", 0);
}

char *sanitize_dup(const char *s)
{
	struct strbuf sb = {0};

	sanitize_append(&sb, s);
	return sb_detach(&sb);
}

int sanitize_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);

	while (len > 0) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);
		if (n == 0 || is_unsafe(cp))
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

/* utf8_decode for other files (tui/cli.c's JSON); 0 at the end of s too. */
size_t sanitize_utf8_char(const char *s, size_t len, uint32_t *cp)
{
	return len ? utf8_decode((const unsigned char *)s, len, cp) : 0;
}

/* is_unsafe for other files. */
int sanitize_unsafe_char(uint32_t cp)
{
	return is_unsafe(cp);
}
