/* spark.c: sparklines (one glyph of an 8-level ramp a cell) and line charts
 * (braille 2x4 dots a cell, or ASCII '*') rendered into plain strings; NaN and
 * +-Inf are gaps, never zero. No terminal I/O: tests compare the bytes. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "spark.h"
#include "xmalloc.h"

/* ---- sparklines ---------------------------------------------------------- */

#define SPARK_LEVELS 8
#define SPARK_MID 4 /* a constant series: ▅ / '+' (holman/spark draws ▅ too) */

static const char *const spark_blocks[SPARK_LEVELS] = {
    "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
/* No standard exists for ASCII; this one rises in ink density. */
static const char spark_ascii[SPARK_LEVELS + 1] = ".:-=+*#@";

/* The position of v on [lo, hi] as 0..1, v clamped into the range first; 0.5
 * when the range is empty. Halves keep hi - lo finite for huge finite ranges. */
static double scale_unit(double v, double lo, double hi)
{
	if (!(hi > lo))
		return 0.5;
	if (!(v >= lo))
		v = lo;
	if (v > hi)
		v = hi;
	return (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
}

/* The ramp level 0..7 of v: floor(t * 7 + 0.5) for t on the scale; the middle
 * level for a constant scale. */
static int spark_level(double v, double lo, double hi)
{
	int lv;

	if (!(hi > lo))
		return SPARK_MID;
	lv = (int)floor(scale_unit(v, lo, hi) * (SPARK_LEVELS - 1) + 0.5);
	return lv < 0 ? 0 : (lv > SPARK_LEVELS - 1 ? SPARK_LEVELS - 1 : lv);
}

/* Min and max of the finite values of v[0..n) into *lo, *hi; 0 when none. */
static int finite_range(const double *v, size_t n, double *lo, double *hi)
{
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (!any || v[i] < *lo)
			*lo = v[i];
		if (!any || v[i] > *hi)
			*hi = v[i];
		any = 1;
	}
	return any;
}

/* The mean of the finite values of v[b..e) into *m; 0 when there are none. */
static int cell_mean(const double *v, size_t b, size_t e, double *m)
{
	double sum = 0;
	size_t k = 0;

	for (size_t i = b; i < e; i++) {
		if (isfinite(v[i])) {
			sum += v[i];
			k++;
		}
	}
	if (k == 0)
		return 0;
	*m = sum / (double)k;
	return 1;
}

/* Append the glyph of level lv (or a gap when lv < 0) at p; returns its length. */
static size_t spark_put(char *p, int lv, int ascii)
{
	if (lv < 0) {
		*p = ' ';
		return 1;
	}
	if (ascii) {
		*p = spark_ascii[lv];
		return 1;
	}
	memcpy(p, spark_blocks[lv], 3);
	return 3;
}

/* The scale is taken over the raw finite values, not over the cell means, so a
 * downsampled sparkline keeps the heights (and the fixed-scale behaviour) of
 * its full-width rendering; the means never reach past it. */
char *spark_render(const double *v, size_t n, const struct spark_opts *o)
{
	static const struct spark_opts defaults;
	size_t cells, len = 0;
	double lo = 0, hi = 0, m;
	char *out;

	if (o == NULL)
		o = &defaults;
	cells = (o->width == 0 || o->width >= n) ? n : o->width;
	if (o->fixed) {
		lo = o->lo;
		hi = o->hi;
	} else if (n > 0) {
		finite_range(v, n, &lo, &hi);
	}
	out = xmalloc(cells * 3 + 1);
	for (size_t i = 0; i < cells; i++) {
		int lv = -1;

		if (cell_mean(v, i * n / cells, (i + 1) * n / cells, &m))
			lv = spark_level(m, lo, hi);
		len += spark_put(out + len, lv, o->ascii);
	}
	out[len] = '\0';
	return out;
}

/* ---- charts ---------------------------------------------------------------- */

#define OWNER_NONE (-1)
#define OWNER_THRESHOLD (-2)

/* Braille bit of the dot at column lc (0 left) and row lr (0 top) of a cell:
 * dots 1,2,3,7 down the left column, 4,5,6,8 down the right. */
static const unsigned char braille_bit[4][2] = {
    {0x01, 0x08},
    {0x02, 0x10},
    {0x04, 0x20},
    {0x40, 0x80},
};

/* The grid being drawn: gw x gh points (dots, or cells in ASCII), cw x ch
 * points a cell; bits and owner per cell, row-major, top row first. */
struct plot {
	int w, h, cw, ch, gw, gh;
	unsigned char *bits;
	int *owner;
};

/* The grid position 0..n-1 of v on [lo, hi] (rounded); the middle when the
 * range is empty. */
static int grid_pos(double v, double lo, double hi, int n)
{
	int p = (int)floor(scale_unit(v, lo, hi) * (n - 1) + 0.5);

	return p < 0 ? 0 : (p > n - 1 ? n - 1 : p);
}

/* Set point (gx, gy) of p, gy counted from the bottom, drawn by series who. */
static void plot_set(struct plot *p, int gx, int gy, int who)
{
	int row = (p->gh - 1 - gy) / p->ch, col = gx / p->cw;
	int lr = (p->gh - 1 - gy) % p->ch, lc = gx % p->cw;
	size_t at = (size_t)row * (size_t)p->w + (size_t)col;

	p->bits[at] |= p->cw == 1 ? 1 : braille_bit[lr][lc];
	if (who != OWNER_THRESHOLD || p->owner[at] == OWNER_NONE)
		p->owner[at] = who;
}

/* Bresenham's line from (x0, y0) to (x1, y1), both ends included. */
static void plot_line(struct plot *p, int x0, int y0, int x1, int y1, int who)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int err = dx + dy;

	for (;;) {
		int e2 = 2 * err;

		plot_set(p, x0, y0, who);
		if (x0 == x1 && y0 == y1)
			return;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* 1 if point i of series s can be drawn. */
static int point_ok(const struct chart_series *s, size_t i)
{
	return isfinite(s->x[i]) && isfinite(s->y[i]);
}

/* Widen [*lo, *hi] to hold v; *any says whether it holds anything yet. */
static void widen(double v, double *lo, double *hi, int *any)
{
	if (!*any || v < *lo)
		*lo = v;
	if (!*any || v > *hi)
		*hi = v;
	*any = 1;
}

/* The data range of s[0..ns) into c. x spans every finite x, including those
 * whose y is a gap, so a trailing gap shows; y spans the drawable points.
 * Returns 0 when no point is drawable. */
static int chart_range(struct chart *c, const struct chart_series *s, size_t ns)
{
	int anyx = 0, anyy = 0;

	for (size_t k = 0; k < ns; k++) {
		for (size_t i = 0; i < s[k].n; i++) {
			if (isfinite(s[k].x[i]))
				widen(s[k].x[i], &c->xmin, &c->xmax, &anyx);
			if (point_ok(&s[k], i))
				widen(s[k].y[i], &c->ymin, &c->ymax, &anyy);
		}
	}
	return anyy;
}

/* Apply the fixed y range and the threshold of o to the scale of c. A fixed
 * range with ymax < ymin is flat; points outside it are clamped to its edges. */
static void chart_yscale(struct chart *c, const struct chart_opts *o)
{
	int any = 1;

	if (o->fixed_y && isfinite(o->ymin) && isfinite(o->ymax)) {
		c->ymin = o->ymin;
		c->ymax = o->ymax > o->ymin ? o->ymax : o->ymin;
	}
	if (o->has_threshold && isfinite(o->threshold))
		widen(o->threshold, &c->ymin, &c->ymax, &any);
}

/* Draw series s (index who) into p: consecutive drawable points are joined, a
 * gap breaks the line, a lone point is a single dot. */
static void plot_series(struct plot *p, const struct chart *c, const struct chart_series *s,
			int who)
{
	int px = 0, py = 0, have = 0;

	for (size_t i = 0; i < s->n; i++) {
		int gx, gy;

		if (!point_ok(s, i)) {
			have = 0;
			continue;
		}
		gx = grid_pos(s->x[i], c->xmin, c->xmax, p->gw);
		gy = grid_pos(s->y[i], c->ymin, c->ymax, p->gh);
		plot_line(p, have ? px : gx, have ? py : gy, gx, gy, who);
		px = gx;
		py = gy;
		have = 1;
	}
}

/* Draw the threshold of o across every column of p. */
static void plot_threshold(struct plot *p, const struct chart *c, const struct chart_opts *o)
{
	int gy;

	if (!o->has_threshold || !isfinite(o->threshold))
		return;
	gy = grid_pos(o->threshold, c->ymin, c->ymax, p->gh);
	for (int gx = 0; gx < p->gw; gx++)
		plot_set(p, gx, gy, OWNER_THRESHOLD);
}

/* Write the glyph of cell at (bits, owner) at q; returns its length. An empty
 * cell is a space, not U+2800, so copied text stays clean. */
static size_t cell_put(char *q, unsigned bits, int owner, const struct chart_opts *o)
{
	if (o->glyphs && o->n_glyphs && owner >= 0) {
		const char *g = o->glyphs[(size_t)owner % o->n_glyphs];
		size_t n = strlen(g);
		memcpy(q, g, n <= 3 ? n : 3);
		return n <= 3 ? n : 3;
	}
	if (o->ascii) {
		*q = owner >= 0 ? '*' : (owner == OWNER_THRESHOLD ? '-' : ' ');
		return 1;
	}
	if (bits == 0) {
		*q = ' ';
		return 1;
	}
	q[0] = (char)0xE2;
	q[1] = (char)(0xA0 | (bits >> 6));
	q[2] = (char)(0x80 | (bits & 0x3F));
	return 3;
}

/* Turn the cells of p into c->rows. */
static void chart_rows(struct chart *c, const struct plot *p, const struct chart_opts *o)
{
	for (int r = 0; r < c->h; r++) {
		size_t len = 0;

		for (int col = 0; col < c->w; col++) {
			size_t at = (size_t)r * (size_t)c->w + (size_t)col;

			len += cell_put(c->rows[r] + len, p->bits[at], p->owner[at], o);
		}
		c->rows[r][len] = '\0';
	}
}

/* Set up c as a blank w x h chart: rows of spaces (room for 3 bytes a cell),
 * every owner -1, the scale zero. */
static void chart_blank(struct chart *c, int w, int h)
{
	memset(c, 0, sizeof *c);
	c->w = w;
	c->h = h;
	c->rows = xcalloc((size_t)h, sizeof *c->rows);
	c->owner = xmalloc((size_t)w * (size_t)h * sizeof *c->owner);
	for (int r = 0; r < h; r++) {
		c->rows[r] = xmalloc((size_t)w * 3 + 1);
		memset(c->rows[r], ' ', (size_t)w);
		c->rows[r][w] = '\0';
	}
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
		c->owner[i] = OWNER_NONE;
}

/* owner is row-major, top row first (owner[row * w + col]), like rows. A w or
 * h below 1 is taken as 1. */
int chart_render(struct chart *c, const struct chart_series *s, size_t ns, int w, int h,
		 const struct chart_opts *o)
{
	static const struct chart_opts defaults;
	struct plot p;

	if (o == NULL)
		o = &defaults;
	chart_blank(c, w < 1 ? 1 : w, h < 1 ? 1 : h);
	if (!chart_range(c, s, ns)) {
		c->xmin = c->xmax = c->ymin = c->ymax = 0;
		return -1;
	}
	chart_yscale(c, o);
	p.w = c->w;
	p.h = c->h;
	p.cw = o->ascii ? 1 : 2;
	p.ch = o->ascii ? 1 : 4;
	p.gw = p.w * p.cw;
	p.gh = p.h * p.ch;
	p.bits = xcalloc((size_t)p.w * (size_t)p.h, 1);
	p.owner = c->owner;
	plot_threshold(&p, c, o);
	for (size_t k = 0; k < ns; k++)
		plot_series(&p, c, &s[k], (int)k);
	chart_rows(c, &p, o);
	free(p.bits);
	return 0;
}

/* Free the rows and owners of c and zero it. */
void chart_free(struct chart *c)
{
	if (c->rows != NULL)
		for (int r = 0; r < c->h; r++)
			free(c->rows[r]);
	free(c->rows);
	free(c->owner);
	memset(c, 0, sizeof *c);
}
