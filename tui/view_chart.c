/* view_chart.c: a metric's history as a chart — braille in UTF-8, ASCII
 * otherwise — with axis labels, for one run or every compared run (one colour
 * per run, named in the legend). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "sanitize.h"
#include "spark.h"
#include "xmalloc.h"

#define MAX_RUNS 20
#define YLABEL 11 /* columns for the y axis labels */

struct chart_state {
	char *key;
	char *ids[MAX_RUNS];
	size_t n;
	struct mlc_metric_list hist[MAX_RUNS];
	char *names[MAX_RUNS];
	int loaded;
};

struct chart_job {
	struct view_job job; /* first: its view, rc and error */
	char *key;
	char *ids[MAX_RUNS];
	size_t n;
	struct mlc_metric_list hist[MAX_RUNS];
	char *names[MAX_RUNS];
};

/* One colour per run, cycling through roles that differ in every theme. */
static const enum theme_role series_roles[] = {THEME_TITLE, THEME_OK, THEME_WARN, THEME_DRIFT,
					       THEME_MARKED, THEME_KEY, THEME_NORMAL};

static enum theme_role series_role(int i)
{
	return series_roles[(size_t)i % (sizeof series_roles / sizeof series_roles[0])];
}

static void chart_run(struct registry *r, void *arg)
{
	struct chart_job *j = arg;
	struct mlc_history_req req[MAX_RUNS];
	struct mlc_run_list runs[MAX_RUNS];

	memset(runs, 0, sizeof runs);
	j->job.rc = registry_get_runs(r, (const char *const *)j->ids, j->n, runs, &j->job.err);
	for (size_t i = 0; i < j->n && j->job.rc == 0; i++) {
		j->names[i] = xstrdup(runs[i].items[0].run_name);
		req[i] = (struct mlc_history_req){j->ids[i], j->key};
	}
	for (size_t i = 0; i < j->n; i++)
		MLC_LIST_FREE(&runs[i]);
	if (j->job.rc == 0)
		j->job.rc = registry_metric_histories(r, req, j->n, j->hist, &j->job.err);
}

static void chart_done(struct app *a, void *arg)
{
	struct chart_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct chart_state *s = v->data;
		for (size_t i = 0; i < s->n; i++) {
			MLC_LIST_FREE(&s->hist[i]);
			free(s->names[i]);
			s->hist[i] = j->hist[i];
			s->names[i] = j->names[i];
			memset(&j->hist[i], 0, sizeof j->hist[i]);
			j->names[i] = NULL;
		}
		s->loaded = 1;
	}
	for (size_t i = 0; i < j->n; i++) {
		MLC_LIST_FREE(&j->hist[i]);
		free(j->names[i]);
		free(j->ids[i]);
	}
	free(j->key);
	free(j);
}

static void chart_load(struct app *a, struct view *v)
{
	struct chart_state *s = v->data;
	struct chart_job *j = xcalloc(1, sizeof *j);

	j->key = xstrdup(s->key);
	j->n = s->n;
	for (size_t i = 0; i < s->n; i++)
		j->ids[i] = xstrdup(s->ids[i]);
	view_job_start(a, v, chart_run, chart_done, &j->job);
}

/* Without colour (NO_COLOR, or a terminal without) or in ASCII, each series
 * has its own shape, in the chart and in the legend. */
static const char *const shapes_utf8[] = {"●", "○", "◆", "◇", "■", "□", "▲", "△"};
static const char *const shapes_ascii[] = {"*", "+", "o", "x", "#", "@", "%", "&"};
#define N_SHAPES (sizeof shapes_ascii / sizeof shapes_ascii[0])

static const char *const *series_shapes(const struct app *a)
{
	if (!a->no_colour && a->utf8)
		return NULL; /* colours tell them apart; braille keeps the detail */
	return a->utf8 ? shapes_utf8 : shapes_ascii;
}

/* The legend: each run's name in its colour (and shape). */
static void draw_legend(struct app *a, struct chart_state *s, int y)
{
	const char *const *shapes = series_shapes(a);
	int x = 1;

	draw_fill(&a->draw, y, 0, a->cols, THEME_NORMAL);
	for (size_t i = 0; i < s->n && x < a->cols - 4; i++) {
		char *name = sanitize_dup(s->names[i] ? s->names[i] : "?");
		char *label = xasprintf("%s %s",
					shapes ? shapes[i % N_SHAPES] : draw_glyph(&a->draw, GLYPH_MARK),
					name);
		free(name);
		x += draw_text(&a->draw, y, x, a->cols - x - 1, label, series_role((int)i), 0, 0) + 2;
		free(label);
	}
}

/* Draw the chart's cells, each in the colour of the series that drew it. */
static void draw_cells(struct app *a, const struct chart *c, int y, int x)
{
	for (int r = 0; r < c->h; r++) {
		const char *p = c->rows[r];
		for (int col = 0; col < c->w && *p; col++) {
			size_t len = ((unsigned char)*p & 0x80) ? 3 : 1;
			char cell[8];
			int owner = c->owner[r * c->w + col];
			memcpy(cell, p, len);
			cell[len] = '\0';
			p += len;
			draw_text(&a->draw, y + r, x + col, 1, cell,
				  owner == -2 ? THEME_DIM : owner >= 0 ? series_role(owner) : THEME_NORMAL, 0, 0);
		}
	}
}

static void chart_draw(struct app *a, struct view *v, int y, int h)
{
	struct chart_state *s = v->data;
	struct chart_series series[MAX_RUNS];
	double *xs[MAX_RUNS] = {0}, *ys[MAX_RUNS] = {0};
	struct chart_opts o = {.ascii = !a->utf8, .glyphs = series_shapes(a), .n_glyphs = N_SHAPES};
	struct chart c = {0};
	int w = a->cols - YLABEL - 2, ch = h - 3;
	char label[32];

	for (int i = 0; i < h; i++)
		draw_fill(&a->draw, y + i, 0, a->cols, THEME_NORMAL);
	if (!s->loaded || w < 4 || ch < 2)
		return;
	draw_legend(a, s, y);
	for (size_t i = 0; i < s->n; i++) {
		xs[i] = xcalloc(s->hist[i].n + 1, sizeof *xs[i]);
		ys[i] = xcalloc(s->hist[i].n + 1, sizeof *ys[i]);
		for (size_t p = 0; p < s->hist[i].n; p++) {
			xs[i][p] = (double)s->hist[i].items[p].step;
			ys[i][p] = s->hist[i].items[p].value;
		}
		series[i] = (struct chart_series){xs[i], ys[i], s->hist[i].n};
	}
	if (chart_render(&c, series, s->n, w, ch, &o) < 0) {
		draw_text(&a->draw, y + 2, 2, a->cols - 4, "No finite values to draw", THEME_DIM, 0, 0);
	} else {
		draw_cells(a, &c, y + 1, YLABEL + 1);
		snprintf(label, sizeof label, "%.4g", c.ymax);
		draw_text(&a->draw, y + 1, 0, YLABEL, label, THEME_DIM, 1, 0);
		snprintf(label, sizeof label, "%.4g", (c.ymin + c.ymax) / 2);
		draw_text(&a->draw, y + 1 + ch / 2, 0, YLABEL, label, THEME_DIM, 1, 0);
		snprintf(label, sizeof label, "%.4g", c.ymin);
		draw_text(&a->draw, y + ch, 0, YLABEL, label, THEME_DIM, 1, 0);
		snprintf(label, sizeof label, "step %.0f", c.xmin);
		draw_text(&a->draw, y + ch + 1, YLABEL + 1, w / 2, label, THEME_DIM, 0, 0);
		snprintf(label, sizeof label, "step %.0f", c.xmax);
		draw_text(&a->draw, y + ch + 1, YLABEL + 1 + w / 2, w - w / 2, label, THEME_DIM, 1, 0);
	}
	chart_free(&c);
	for (size_t i = 0; i < s->n; i++) {
		free(xs[i]);
		free(ys[i]);
	}
}

static void chart_free_view(struct view *v)
{
	struct chart_state *s = v->data;

	for (size_t i = 0; i < s->n; i++) {
		MLC_LIST_FREE(&s->hist[i]);
		free(s->names[i]);
		free(s->ids[i]);
	}
	free(s->key);
}

static const struct view_ops chart_ops = {
	.name = "chart",
    .data_size = sizeof(struct chart_state),
	.load = chart_load,
	.free = chart_free_view,
	.draw = chart_draw,
};

struct view *view_chart_new(struct app *a, const char *key, const char *const *ids, size_t n)
{
	char *title = n == 1 ? xasprintf("%s of run %.8s", key, ids[0])
			     : xasprintf("%s of %zu runs", key, n);
	struct view *v = view_new(a, &chart_ops, title);
	struct chart_state *s = v->data;
	struct table_col none = {"", 0, 0, 0, 0};

	free(title);
	s->key = xstrdup(key);
	for (size_t i = 0; i < n && i < MAX_RUNS; i++)
		s->ids[s->n++] = xstrdup(ids[i]);
	table_init(&v->table, &none, 1);
	return v;
}
