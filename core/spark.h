/* spark.h: sparklines and braille charts as pure functions that return
 * strings — no terminal I/O, so they are unit-tested to the byte. UTF-8 block
 * ramp (▁▂▃▄▅▆▇█) or an ASCII ramp; NaN is a gap, never zero. */
#ifndef MLC_SPARK_H
#define MLC_SPARK_H
#include <stddef.h>

struct spark_opts {
	int ascii;    /* ASCII ramp ".:-=+*#@" instead of the block glyphs */
	int fixed;    /* scale to [lo, hi] instead of the series' own min..max */
	double lo, hi;
	size_t width; /* cells; 0: one cell per value. With fewer cells than values,
			 each cell shows the mean of the finite values it covers. */
};

/* The sparkline of v[0..n): one glyph per cell, a space for a cell with no
 * finite value. A constant series (or a single point) draws every point at the
 * middle glyph (▅ / '+'); values outside a fixed scale are clamped. Returns a
 * malloc'd string; caller frees. */
char *spark_render(const double *v, size_t n, const struct spark_opts *o);

/* One series of a chart: y values at x positions (x ascending; NaN y = gap). */
struct chart_series {
	const double *x;
	const double *y;
	size_t n;
};

/* A chart drawn into w x h cells. Braille (2x4 dots a cell) in UTF-8, ASCII
 * ('*' points, '-' threshold) otherwise. */
struct chart {
	int w, h;
	char **rows;   /* h strings, top row first; malloc'd */
	int *owner;    /* w*h: index of the series that last drew in the cell, -1 none,
			  -2 the threshold line */
	double xmin, xmax, ymin, ymax; /* the scale used (for axis labels) */
};

struct chart_opts {
	int ascii;
	/* Without colour the series need shapes: cells a series drew show
	 * glyphs[i % n_glyphs] (a UTF-8 character or an ASCII one, one column
	 * wide) instead of dots or '*'. NULL: as ascii says. */
	const char *const *glyphs;
	size_t n_glyphs;
	int has_threshold;
	double threshold; /* drawn as a horizontal line and kept inside the y range */
	int fixed_y;      /* use ymin/ymax below instead of the data's range */
	double ymin, ymax;
};

/* Draw series s[0..ns) into c (w >= 1, h >= 1). Consecutive finite points of a
 * series are joined by lines; a NaN breaks the line. A flat series is drawn
 * along the middle. Returns 0, or -1 when there is nothing finite to draw (c
 * is then still filled with blank rows). Free with chart_free. */
int chart_render(struct chart *c, const struct chart_series *s, size_t ns, int w, int h,
		 const struct chart_opts *o);
void chart_free(struct chart *c);

#endif
