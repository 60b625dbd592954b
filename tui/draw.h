/* draw.h: every curses call that puts text on the screen goes through here —
 * width in columns (never bytes), truncation with an ellipsis, theme roles, and
 * the UTF-8/ASCII glyph tables. Strings given here are already sanitised. */
#ifndef MLC_DRAW_H
#define MLC_DRAW_H
#include <stddef.h>
#include "theme.h"

enum glyph {
	GLYPH_SEP,
	GLYPH_ELLIPSIS,
	GLYPH_CURSOR,
	GLYPH_ARROW,
	GLYPH_SPIN0,
	GLYPH_MARK,
	GLYPH_BEST,
	GLYPH_UP,
	GLYPH_DOWN,
	GLYPH_MORE_LEFT,
	GLYPH_MORE_RIGHT,
	GLYPH_N
};

struct draw_ctx {
	int utf8; /* the locale is UTF-8: wide glyphs and wcwidth */
	const struct theme *theme;
};

/* Set up drawing for this locale and theme (call once after initscr). */
void draw_init(struct draw_ctx *d, int utf8, const struct theme *theme);
/* The glyph g for the current mode. */
const char *draw_glyph(const struct draw_ctx *d, enum glyph g);
/* Spinner frame i. */
const char *draw_spinner(const struct draw_ctx *d, unsigned i);
/* Columns s takes on screen. */
int draw_width(const struct draw_ctx *d, const char *s);
/* Draw s at (y, x) in at most maxw columns, with an ellipsis when cut; right-
 * aligned in maxw when right is set; pads to maxw when pad is set. Returns the
 * columns drawn. */
int draw_text(const struct draw_ctx *d, int y, int x, int maxw, const char *s, enum theme_role role,
	      int right, int pad);
/* Wrapping s (sanitised) in width columns: the bytes of its first line, which
 * ends after the last space that fits (in its second half), else where the
 * width is full; *next is where the next line starts (spaces skipped). */
size_t draw_wrap_line(const struct draw_ctx *d, const char *s, int width, size_t *next);
/* Send s (sanitised first) to the terminal's clipboard: OSC 52, the one escape
 * the console writes itself. 0, or -1 when the write failed. */
int draw_osc52(const char *s);
/* Fill columns [x, x+w) of row y with spaces in role. */
void draw_fill(const struct draw_ctx *d, int y, int x, int w, enum theme_role role);

#endif
