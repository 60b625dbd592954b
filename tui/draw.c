/* draw.c: text and glyphs on the screen. Text is decoded from UTF-8 here, so
 * the ASCII fallback works whatever the locale; widths come from wcwidth. */
#include "config.h"
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "draw.h"
#include "sanitize.h"

static const char *const glyphs_utf8[GLYPH_N] = {"│", "…", "▸", "›", "⠋", "•",
						 "★", "▲", "▼", "‹", "›"};
static const char *const glyphs_ascii[GLYPH_N] = {"|", "~", ">", ">", "-", "*",
						  "*", "^", "v", "<", ">"};
static const char *const spin_utf8[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
static const char *const spin_ascii[] = {"-", "\\", "|", "/"};

void draw_init(struct draw_ctx *d, int utf8, const struct theme *theme)
{
	d->utf8 = utf8;
	d->theme = theme;
}

const char *draw_glyph(const struct draw_ctx *d, enum glyph g)
{
	return (d->utf8 ? glyphs_utf8 : glyphs_ascii)[g];
}

const char *draw_spinner(const struct draw_ctx *d, unsigned i)
{
	if (d->utf8)
		return spin_utf8[i % (sizeof spin_utf8 / sizeof spin_utf8[0])];
	return spin_ascii[i % (sizeof spin_ascii / sizeof spin_ascii[0])];
}

/* Decode the next UTF-8 character of *s (already valid: sanitised). */
static wchar_t next_char(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	wchar_t c;
	int n;

	if (p[0] < 0x80) {
		c = p[0];
		n = 1;
	} else if ((p[0] & 0xE0) == 0xC0 && p[1]) {
		c = (wchar_t)(((p[0] & 0x1F) << 6) | (p[1] & 0x3F));
		n = 2;
	} else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
		c = (wchar_t)(((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F));
		n = 3;
	} else if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
		c = (wchar_t)(((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) |
			      (p[3] & 0x3F));
		n = 4;
	} else {
		c = '?';
		n = 1;
	}
	*s += n;
	return c;
}

/* Width of c; in ASCII mode everything non-ASCII shows as one '?'. */
static int char_width(const struct draw_ctx *d, wchar_t *c)
{
	int w;

	if (*c >= 0x20 && *c < 0x7F)
		return 1; /* the common case, without a call into the locale */
	if (!d->utf8) {
		if (*c > 0x7E || *c < 0x20)
			*c = '?';
		return 1;
	}
	w = wcwidth(*c);
	if (w < 0) {
		*c = L'?';
		w = 1;
	}
	return w;
}

int draw_width(const struct draw_ctx *d, const char *s)
{
	char *own = sanitize_is_clean(s) ? NULL : sanitize_dup(s); /* as draw_text shows it */
	int w = 0;

	for (const char *p = own ? own : s; *p;) {
		wchar_t c = next_char(&p);
		w += char_width(d, &c);
	}
	free(own);
	return w;
}

size_t draw_wrap_line(const struct draw_ctx *d, const char *s, int width, size_t *next)
{
	const char *p = s, *space = NULL;
	int used = 0;

	while (*p) {
		const char *at = p;
		wchar_t c = next_char(&p);
		int w = char_width(d, &c);
		if (used + w > width && at > s) {
			p = at;
			break;
		}
		used += w;
		if (c == L' ')
			space = p;
	}
	size_t len = (size_t)(p - s);
	if (*p && space && space - s > (ptrdiff_t)len / 2) /* break after a space */
		len = (size_t)(space - s);
	*next = len;
	while (s[*next] == ' ')
		(*next)++;
	return len;
}

/* Append the base64 of s[0..n) to sb (RFC 4648, with padding). */
static void base64_append(struct strbuf *sb, const unsigned char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		char q[5] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			     i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '=', 0};
		sb_add(sb, q);
	}
}

int draw_osc52(const char *s)
{
	char *own = sanitize_is_clean(s) ? NULL : sanitize_dup(s); /* only what is shown */
	struct strbuf sb = {0};
	int rc;

	s = own ? own : s;
	sb_add(&sb, "\033]52;c;");
	base64_append(&sb, (const unsigned char *)s, strlen(s));
	sb_add(&sb, "\a");
	rc = fputs(sb_str(&sb), stdout) < 0 || fflush(stdout) != 0 ? -1 : 0;
	sb_free(&sb);
	free(own);
	return rc;
}

/* Put the single character c with attributes at the cursor. */
static void put_char(wchar_t c, attr_t attr)
{
	wchar_t wc[2] = {c, 0};
	cchar_t cc;

	/* setcchar takes the colour pair apart from the attributes. */
	setcchar(&cc, wc, attr & ~A_COLOR, (short)PAIR_NUMBER((int)attr), NULL);
	add_wch(&cc);
}

void draw_fill(const struct draw_ctx *d, int y, int x, int w, enum theme_role role)
{
	attr_t attr = (attr_t)d->theme->cattr[role];

	move(y, x);
	for (int i = 0; i < w; i++)
		put_char(L' ', attr);
}

int draw_text(const struct draw_ctx *d, int y, int x, int maxw, const char *s, enum theme_role role,
	      int right, int pad)
{
	attr_t attr = (attr_t)d->theme->cattr[role];
	const char *ell = draw_glyph(d, GLYPH_ELLIPSIS);
	/* one sanitiser for every string drawn: what is clean already (cells,
	 * titles) is drawn as is, anything else escaped first */
	char *own = sanitize_is_clean(s) ? NULL : sanitize_dup(s);
	int total, used = 0, cut, room, ret;

	if (maxw <= 0) {
		free(own);
		return 0;
	}
	s = own ? own : s;
	total = draw_width(d, s);
	cut = total > maxw;
	room = cut ? maxw - 1 : maxw;
	if (right && !cut && total < maxw) {
		draw_fill(d, y, x, maxw - total, role);
		x += maxw - total;
	}
	move(y, x);
	while (*s) {
		wchar_t c = next_char(&s);
		int w = char_width(d, &c);
		if (used + w > room)
			break;
		put_char(c, attr);
		used += w;
	}
	if (cut) {
		while (used < maxw - 1) { /* a wide char did not fit */
			put_char(L' ', attr);
			used++;
		}
		put_char(next_char(&ell), attr);
		used++;
	}
	if (pad && used < maxw && !(right && !cut))
		draw_fill(d, y, x + used, maxw - used, role);
	ret = right && !cut ? maxw : (pad ? maxw : used);
	free(own);
	return ret;
}
