/* view_drift.c: drift at a glance — one row per model and feature, worst
 * first, with the method, the latest score against its threshold, a status
 * that reads in mono too (symbol and word), and a sparkline of the last
 * windows on a scale shared by all rows. Enter opens the feature's chart:
 * score over time with the threshold line, and the latest window's reference
 * and current shares. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "sanitize.h"
#include "drift.h"
#include "spark.h"
#include "timefmt.h"
#include "xmalloc.h"

#define SPARK_WINDOWS 30

struct drift_state {
	char *model;   /* NULL: every deployed model */
	char *feature; /* the chart view: one feature */
	struct mlc_drift_list list;
};

struct drift_job {
	struct view_job job; /* first: its view, rc and error */
	char *model, *feature;
	struct mlc_drift_list list;
};

static void drift_run(struct registry *r, void *arg)
{
	struct drift_job *j = arg;
	j->job.rc = registry_drift_series(r, j->model, j->feature, 0, &j->list, &j->job.err);
}

/* "✖ drift", "▲ warn", "✔ ok" (ASCII: "X drift", "! warn", "+ ok": "-" is
 * what a cell without data shows). */
const char *view_drift_status_label(int utf8, int status)
{
	static const char *const u[] = {"✔ ok", "▲ warn", "✖ drift"}, *const a[] = {"+ ok",
										    "! warn",
										    "X drift"};
	return (utf8 ? u : a)[status >= 0 && status <= 2 ? status : 0];
}

/* The theme role of a status: drift and warn stand out. */
enum theme_role view_drift_status_role(int status)
{
	return status == DRIFT_STATUS_DRIFT  ? THEME_DRIFT
	       : status == DRIFT_STATUS_WARN ? THEME_WARN
					     : THEME_NORMAL;
}

/* How many windows the sparkline can show at this width: the columns before
 * it (the model unless the view is one model's, the feature, status and
 * score) take what they need, the newest windows the rest. */
static int spark_windows(const struct app *a, const struct drift_state *s)
{
	int used = 2 + 7 + 1 + 9 + 1; /* cursor, status, score (with gaps) */
	int model = 5, feature = 7;

	for (size_t i = 0; i < s->list.n; i++) {
		int m = (int)strlen(s->list.items[i].model), f = (int)strlen(s->list.items[i].feature);
		model = m > model ? m : model;
		feature = f > feature ? f : feature;
	}
	used += (s->model ? 0 : (model < 28 ? model : 28) + 1) + (feature < 28 ? feature : 28) + 1;
	return a->cols - used < 8 ? 8 : a->cols - used > SPARK_WINDOWS ? SPARK_WINDOWS : a->cols - used;
}

static void drift_fill(struct app *a, struct view *v)
{
	struct drift_state *s = v->data;
	size_t drifting = 0;
	int windows = spark_windows(a, s);
	char *title;

	table_clear(&v->table);
	for (size_t i = 0; i < s->list.n; i++) {
		const struct mlc_drift_feature *f = &s->list.items[i];
		char score[32], thr[32], *spark = drift_feature_spark(f, windows, !a->utf8);
		char *key = xasprintf("%s\x1f%s", f->model, f->feature);
		const char *cells[] = {f->model, f->feature,
				       view_drift_status_label(a->utf8, f->status), score, spark, thr,
				       f->method};
		snprintf(score, sizeof score, "%.4g", f->score);
		snprintf(thr, sizeof thr, "%.4g", f->threshold);
		drifting += f->status == DRIFT_STATUS_DRIFT;
		/* one model's view: the title names it, the rows need not */
		table_add_ref(&v->table, key, view_drift_status_role(f->status),
			      cells + (s->model != NULL), (struct table_ref){.index = i});
		free(key);
		free(spark);
	}
	table_done(&v->table);
	if (s->list.n == 0) /* not "0 of 0 features drifting (0%)" */
		title =
		    xasprintf("Drift%s%s: no drift series recorded (see 'mlconsole drift record')",
			      s->model ? " of " : "", s->model ? s->model : "");
	else
		title = xasprintf("Drift%s%s: %zu of %zu features drifting (%.0f%%)%s",
				  s->model ? " of " : "", s->model ? s->model : "", drifting,
				  s->list.n, 100.0 * (double)drifting / (double)s->list.n,
				  (double)drifting / (double)s->list.n >= DRIFT_DATASET_SHARE
				      ? ", DATASET DRIFT"
				      : "");
	free(v->title);
	v->title = sanitize_dup(title);
	free(title);
}

static void drift_done(struct app *a, void *arg)
{
	struct drift_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct drift_state *s = v->data;
		MLC_LIST_FREE(&s->list);
		s->list = j->list;
		memset(&j->list, 0, sizeof j->list);
		if (s->feature == NULL)
			drift_fill(a, v);
	}
	MLC_LIST_FREE(&j->list);
	free(j->model);
	free(j->feature);
	free(j);
}

static void drift_load(struct app *a, struct view *v)
{
	struct drift_state *s = v->data;
	struct drift_job *j = xcalloc(1, sizeof *j);

	j->model = s->model ? xstrdup(s->model) : NULL;
	j->feature = s->feature ? xstrdup(s->feature) : NULL;
	view_job_start(a, v, drift_run, drift_done, &j->job);
}

static struct view *drift_chart_new(struct app *a, const char *model, const char *feature);

static int drift_action(struct app *a, struct view *v, enum action act)
{
	const struct drift_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);
	const struct mlc_drift_feature *f;

	if (act != ACT_ENTER || r == NULL || r->index >= s->list.n)
		return V_IGNORED;
	f = &s->list.items[r->index];
	app_push(a, drift_chart_new(a, f->model, f->feature));
	return V_HANDLED;
}

static void drift_free(struct view *v)
{
	struct drift_state *s = v->data;

	MLC_LIST_FREE(&s->list);
	free(s->model);
	free(s->feature);
}

static const struct view_ops drift_ops = {
    .name = "drift",
    .data_size = sizeof(struct drift_state),
    .load = drift_load,
    .action = drift_action,
    .free = drift_free,
    .enter_hint = "chart",
    .counted = 1,
};

/* The sparkline, the screen's point, before the columns a narrow screen drops. */
static const struct table_col cols[] = {
    {"MODEL", 28, 0, 0, 0}, {"FEATURE", 28, 0, 0, 0},   {"STATUS", 0, 0, 0, 0}, {"SCORE", 0, 1, 0, 0},
    {"WINDOWS", 0, 0, 0, 1}, {"THRESHOLD", 0, 1, 0, 0}, {"METHOD", 0, 0, 1, 0},
};

struct view *view_drift_new(struct app *a, const char *model)
{
	struct view *v = view_new(a, &drift_ops, model ? "Drift of the model" : "Drift");
	struct drift_state *s = v->data;

	s->model = model ? xstrdup(model) : NULL;
	table_init(&v->table, cols + (model != NULL), 7 - (model != NULL));
	return v;
}

/* ---- one feature's chart ------------------------------------------------- */

/* Draw the latest window's shares as two bars per bin (reference, current). */
static void draw_shares(struct app *a, const struct mlc_drift_point *p, int y, int h)
{
	int barw = (a->cols - 20) / 2;
	char line[64];

	if (p->n_shares == 0) {
		draw_text(&a->draw, y, 2, a->cols - 4, "No binned shares stored for this window.",
			  THEME_DIM, 0, 0);
	} else {
		draw_text(&a->draw, y, 2, a->cols - 4,
			  "Latest window, share per bin: reference | current", THEME_TITLE, 0, 0);
		for (size_t i = 0; i < p->n_shares && (int)i < h - 1; i++) {
			double rv = p->ref_shares[i], cv = p->cur_shares[i];
			snprintf(line, sizeof line, "%2zu %5.1f%% %5.1f%%", i + 1, 100 * rv,
				 100 * cv);
			draw_text(&a->draw, y + 1 + (int)i, 2, 18, line, THEME_DIM, 0, 0);
			for (int k = 0; k < (int)(rv * barw + 0.5) && k < barw; k++)
				draw_text(&a->draw, y + 1 + (int)i, 20 + k, 1, a->utf8 ? "█" : "#",
					  THEME_OK, 0, 0);
			for (int k = 0; k < (int)(cv * barw + 0.5) && k < barw; k++)
				draw_text(&a->draw, y + 1 + (int)i, 21 + barw + k, 1,
					  a->utf8 ? "█" : "#", THEME_DRIFT, 0, 0);
		}
	}
}

static void drift_chart_draw(struct app *a, struct view *v, int y, int h)
{
	struct drift_state *s = v->data;
	const struct mlc_drift_feature *f = s->list.n ? &s->list.items[0] : NULL;
	int hist_h = h / 3, ch = h - hist_h - 3, w = a->cols - 13;
	struct chart c = {0};
	struct chart_opts o = {.ascii = !a->utf8, .has_threshold = 1};
	double *xs, *ys;
	char label[64];

	for (int i = 0; i < h; i++)
		draw_fill(&a->draw, y + i, 0, a->cols, THEME_NORMAL);
	if (f == NULL || ch < 2 || w < 8)
		return;
	xs = xcalloc(f->n_points, sizeof *xs);
	ys = xcalloc(f->n_points, sizeof *ys);
	for (size_t i = 0; i < f->n_points; i++) {
		xs[i] = (double)f->points[i].window_end;
		ys[i] = f->points[i].score;
	}
	o.threshold = f->threshold;
	char *method = sanitize_dup(f->method);
	snprintf(label, sizeof label, "%s %s, latest %.4g, threshold %.4g", method,
		 view_drift_status_label(a->utf8, f->status), f->score, f->threshold);
	free(method);
	draw_text(&a->draw, y, 1, a->cols - 2, label, view_drift_status_role(f->status), 0, 0);
	struct chart_series series = {xs, ys, f->n_points};
	if (chart_render(&c, &series, 1, w, ch, &o) == 0) {
		for (int r = 0; r < c.h; r++) {
			const char *p = c.rows[r];
			for (int col = 0; col < c.w && *p; col++) {
				size_t len = ((unsigned char)*p & 0x80) ? 3 : 1;
				char cell[8];
				int owner = c.owner[r * c.w + col];
				memcpy(cell, p, len);
				cell[len] = '\0';
				p += len;
				draw_text(&a->draw, y + 1 + r, 12 + col, 1, cell,
					  owner == -2 ? THEME_WARN
						      : view_drift_status_role(f->status),
					  0, 0);
			}
		}
		snprintf(label, sizeof label, "%.3g", c.ymax);
		draw_text(&a->draw, y + 1, 0, 11, label, THEME_DIM, 1, 0);
		snprintf(label, sizeof label, "%.3g", c.ymin);
		draw_text(&a->draw, y + ch, 0, 11, label, THEME_DIM, 1, 0);
		timefmt_minutes((int64_t)c.xmin, label, sizeof label);
		draw_text(&a->draw, y + ch + 1, 12, w / 2, label, THEME_DIM, 0, 0);
		timefmt_minutes((int64_t)c.xmax, label, sizeof label);
		draw_text(&a->draw, y + ch + 1, 12 + w / 2, w - w / 2, label, THEME_DIM, 1, 0);
	}
	chart_free(&c);
	free(xs);
	free(ys);
	draw_shares(a, &f->points[f->n_points - 1], y + ch + 3, hist_h);
}

static const struct view_ops drift_chart_ops = {
    .name = "drift chart",
    .data_size = sizeof(struct drift_state),
    .load = drift_load,
    .free = drift_free,
    .draw = drift_chart_draw,
};

static struct view *drift_chart_new(struct app *a, const char *model, const char *feature)
{
	char *title = xasprintf("Drift of %s: %s", model, feature);
	struct view *v = view_new(a, &drift_chart_ops, title);
	struct drift_state *s = v->data;
	struct table_col none = {"", 0, 0, 0, 0};

	free(title);
	s->model = xstrdup(model);
	s->feature = xstrdup(feature);
	table_init(&v->table, &none, 1);
	return v;
}

static void cmd_drift(struct app *a, const char *arg)
{
	app_push(a, view_drift_new(a, *arg ? arg : NULL));
}

APP_COMMAND(cmd_drift_info, .name = "drift", .args = "[MODEL]",
	    .help = "Drift per feature, worst first; Enter opens a chart",
	    .run = cmd_drift,
	    .need = REG_CAP_DRIFT, .verb = "show drift",
	    .rank = 80);
