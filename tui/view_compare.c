/* view_compare.c: 2 to 20 runs side by side — params and the datasets used
 * (same digest or not) with the differing rows highlighted (o: only those),
 * final metrics with the best run marked and deltas against the first run (f
 * flips a row's direction), and each metric's history as a sparkline per run
 * on a common scale. Enter opens a chart. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "compare.h"
#include "spark.h"
#include "xmalloc.h"

#define MAX_RUNS 20
#define SPARK_CELLS 16

struct compare_state {
	char *ids[MAX_RUNS];
	size_t n;
	struct mlc_run_list lists[MAX_RUNS];	/* one get_run result each */
	struct mlc_run runs[MAX_RUNS];		/* shallow copies into lists */
	struct mlc_metric_list *hist[MAX_RUNS]; /* per run, per metric of that run */
	int loaded;
	int only_diff;
	char **flipped;
	size_t nflipped;
	struct mlc_compare cmp;
	struct mlc_arena titles;
};

struct compare_job {
	struct view_job job; /* first: its view, rc and error */
	struct compare_state fetched; /* filled on the worker, moved into the view */
};

/* Free what a state holds of fetched data. */
static void free_fetched(struct compare_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->hist[i])
			for (size_t k = 0; k < s->runs[i].n_metrics; k++)
				MLC_LIST_FREE(&s->hist[i][k]);
		free(s->hist[i]);
		s->hist[i] = NULL;
		MLC_LIST_FREE(&s->lists[i]);
	}
	compare_free(&s->cmp);
	s->loaded = 0;
}

/* Worker thread: every run with all its values, and every metric's history. */
static void compare_run(struct registry *r, void *arg)
{
	struct compare_job *j = arg;
	struct compare_state *s = &j->fetched;
	struct mlc_history_req *req;
	struct mlc_metric_list *flat;
	size_t n = 0, at = 0;

	if ((j->job.rc = registry_get_runs(r, (const char *const *)s->ids, s->n, s->lists, &j->job.err)) <
	    0)
		return;
	for (size_t i = 0; i < s->n; i++) {
		s->runs[i] = s->lists[i].items[0];
		s->hist[i] = xcalloc(s->runs[i].n_metrics + 1, sizeof *s->hist[i]);
		n += s->runs[i].n_metrics;
	}
	/* every history of every run in one go: a server answers them together */
	req = xcalloc(n + 1, sizeof *req);
	flat = xcalloc(n + 1, sizeof *flat);
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->runs[i].n_metrics; k++)
			req[at++] =
			    (struct mlc_history_req){s->runs[i].run_id, s->runs[i].metrics[k].key};
	j->job.rc = registry_metric_histories(r, req, n, flat, &j->job.err);
	at = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->runs[i].n_metrics; k++)
			s->hist[i][k] = flat[at++];
	free(flat);
	free(req);
}

/* The history of metric key in run i (NULL when the run has none). */
static const struct mlc_metric_list *history(const struct compare_state *s, size_t i,
					     const char *key)
{
	for (size_t k = 0; k < s->runs[i].n_metrics; k++)
		if (strcmp(s->runs[i].metrics[k].key, key) == 0)
			return &s->hist[i][k];
	return NULL;
}

/* What a row stands for (struct table_ref's kind): f flips a metric's
 * direction, Enter charts a metric (from its value or its history row). */
enum { ROW_FIELD, ROW_METRIC, ROW_HISTORY };

/* Add a row of 1 + n cells that stands for ref; its key (to keep the cursor
 * on it) is key, or its place. */
static void add_row_ref(struct view *v, const char *key, enum theme_role role, const char *first,
			const char *const *rest, struct table_ref ref)
{
	const char *cells[MAX_RUNS + 1];
	char k[32];

	cells[0] = first;
	for (size_t i = 0; i < ((struct compare_state *)v->data)->n; i++)
		cells[i + 1] = rest ? rest[i] : "";
	if (key == NULL) {
		snprintf(k, sizeof k, "#%zu", v->table.nrows);
		key = k;
	}
	table_add_ref(&v->table, key, role, cells, ref);
}

/* Add a row of 1 + n cells that stands for nothing Enter opens. */
static void add_row(struct view *v, enum theme_role role, const char *first,
		    const char *const *rest)
{
	add_row_ref(v, NULL, role, first, rest, (struct table_ref){0});
}

/* A gap and a title, layout rows the cursor passes over. */
static void heading(struct view *v, const char *title)
{
	add_row_ref(v, NULL, THEME_NORMAL, "", NULL, (struct table_ref){.layout = 1});
	add_row_ref(v, NULL, THEME_TITLE, title, NULL, (struct table_ref){.layout = 1});
}

static void fill_params(struct view *v, struct compare_state *s)
{
	char title[96];

	snprintf(title, sizeof title, "Params (%zu of %zu differ)", s->cmp.nparams_differ,
		 s->cmp.nparams);
	heading(v, title);
	for (size_t p = 0; p < s->cmp.nparams; p++) {
		const struct compare_param *cp = &s->cmp.params[p];
		const char *vals[MAX_RUNS];
		if (s->only_diff && !cp->differs)
			continue;
		for (size_t i = 0; i < s->n; i++)
			vals[i] = cp->values[i] ? cp->values[i] : "-";
		add_row(v, cp->differs ? THEME_WARN : THEME_NORMAL, cp->key, vals);
	}
}

/* The datasets the runs used, one row per role (name and context) with
 * each run's digest; rows whose digests differ are highlighted (o: only those). */
static void fill_datasets(struct view *v, struct compare_state *s)
{
	char title[96];

	if (s->cmp.ndatasets == 0)
		return;
	snprintf(title, sizeof title, "Datasets (%zu of %zu differ)", s->cmp.ndatasets_differ,
		 s->cmp.ndatasets);
	heading(v, title);
	for (size_t d = 0; d < s->cmp.ndatasets; d++) {
		const struct compare_dataset *cd = &s->cmp.datasets[d];
		struct mlc_dataset_input in = {.name = cd->name, .context = cd->context};
		struct mlc_arena a = {0};
		const char *vals[MAX_RUNS];
		if (s->only_diff && !cd->differs)
			continue;
		for (size_t i = 0; i < s->n; i++)
			vals[i] = cd->digests[i] ? cd->digests[i] : "-";
		add_row(v, cd->differs ? THEME_WARN : THEME_NORMAL, mlc_input_label(&a, &in),
			vals);
		arena_free(&a);
	}
}

/* 1 if every run has the same value for metric m. */
static int metric_same(const struct compare_metric *m, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (m->present[i] != m->present[0] ||
		    (m->values[i] != m->values[0] && !(isnan(m->values[i]) && isnan(m->values[0]))))
			return 0;
	return 1;
}

static void fill_metrics(struct app *a, struct view *v, struct compare_state *s)
{
	char bufs[MAX_RUNS][64];
	const char *vals[MAX_RUNS];

	heading(v, "Metrics (best marked, vs #1)");
	for (size_t m = 0; m < s->cmp.nmetrics; m++) {
		const struct compare_metric *cm = &s->cmp.metrics[m];
		char *key = xasprintf("m:%s", cm->key);
		char *label =
		    xasprintf("%s %s", cm->key,
			      draw_glyph(&a->draw, cm->lower_better ? GLYPH_DOWN : GLYPH_UP));
		if (s->only_diff && metric_same(cm, s->n)) {
			free(key);
			free(label);
			continue;
		}
		for (size_t i = 0; i < s->n; i++) {
			const char *best =
			    (int)i == cm->best ? draw_glyph(&a->draw, GLYPH_BEST) : "";
			if (!cm->present[i])
				snprintf(bufs[i], sizeof bufs[i], "-");
			else if (isnan(cm->values[i]))
				snprintf(bufs[i], sizeof bufs[i], "NaN");
			else if (i == 0 || isnan(cm->delta[i]))
				snprintf(bufs[i], sizeof bufs[i], "%s%.4g", best, cm->values[i]);
			else
				snprintf(bufs[i], sizeof bufs[i], "%s%.4g (%+.3g)", best,
					 cm->values[i], cm->delta[i]);
			vals[i] = bufs[i];
		}
		add_row_ref(v, key, THEME_NORMAL, label, vals,
			    (struct table_ref){.kind = ROW_METRIC, .index = m});
		free(label);
		free(key);
	}
}

/* Each metric's history per run, one common scale per metric. */
static void fill_histories(struct app *a, struct view *v, struct compare_state *s)
{
	heading(v, "Histories (scale per row)");
	for (size_t m = 0; m < s->cmp.nmetrics; m++) {
		const char *key = s->cmp.metrics[m].key;
		struct spark_opts so = {.ascii = !a->utf8,
					.fixed = 1,
					.lo = INFINITY,
					.hi = -INFINITY,
					.width = SPARK_CELLS};
		char *sparks[MAX_RUNS] = {0};
		char *rowkey = xasprintf("h:%s", key);
		for (size_t i = 0; i < s->n; i++) {
			const struct mlc_metric_list *h = history(s, i, key);
			for (size_t p = 0; h && p < h->n; p++)
				if (isfinite(h->items[p].value)) {
					so.lo = fmin(so.lo, h->items[p].value);
					so.hi = fmax(so.hi, h->items[p].value);
				}
		}
		for (size_t i = 0; i < s->n; i++) {
			const struct mlc_metric_list *h = history(s, i, key);
			double *vals = xcalloc(h ? h->n + 1 : 1, sizeof *vals);
			for (size_t p = 0; h && p < h->n; p++)
				vals[p] = h->items[p].value;
			sparks[i] = spark_render(vals, h ? h->n : 0, &so);
			free(vals);
		}
		add_row_ref(v, rowkey, THEME_NORMAL, key, (const char *const *)sparks,
			    (struct table_ref){.kind = ROW_HISTORY, .index = m});
		for (size_t i = 0; i < s->n; i++)
			free(sparks[i]);
		free(rowkey);
	}
}

/* Rebuild the comparison and the rows (after a load, f or o). */
static void compare_fill(struct app *a, struct view *v)
{
	struct compare_state *s = v->data;
	const char *names[MAX_RUNS], *ids[MAX_RUNS];
	char shortid[MAX_RUNS][9];

	compare_free(&s->cmp);
	compare_build(&s->cmp, s->runs, s->n, (const char *const *)s->flipped, s->nflipped);
	table_clear(&v->table);
	for (size_t i = 0; i < s->n; i++) {
		snprintf(shortid[i], sizeof shortid[i], "%s", s->runs[i].run_id);
		names[i] = s->runs[i].run_name;
		ids[i] = shortid[i];
	}
	add_row(v, THEME_TITLE, "run", names);
	add_row(v, THEME_DIM, "id", ids);
	fill_params(v, s);
	fill_datasets(v, s);
	fill_metrics(a, v, s);
	fill_histories(a, v, s);
	table_done(&v->table);
}

/* Columns: KEY, then one per run titled by its name. */
static void set_columns(struct view *v, struct compare_state *s)
{
	struct table_col cols[MAX_RUNS + 1];

	arena_free(&s->titles);
	cols[0] = (struct table_col){"KEY", 32, 0, 0, 0};
	for (size_t i = 0; i < s->n; i++)
		cols[i + 1] = (struct table_col){arena_printf(&s->titles, "#%zu", i + 1), 24, 0, 0, 0};
	table_set_columns(&v->table, cols, (int)s->n + 1);
}

static void compare_done(struct app *a, void *arg)
{
	struct compare_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct compare_state *s = v->data;
		free_fetched(s);
		memcpy(s->lists, j->fetched.lists, sizeof s->lists);
		memcpy(s->runs, j->fetched.runs, sizeof s->runs);
		memcpy(s->hist, j->fetched.hist, sizeof s->hist);
		memset(j->fetched.lists, 0, sizeof j->fetched.lists);
		memset(j->fetched.hist, 0, sizeof j->fetched.hist);
		s->loaded = 1;
		set_columns(v, s);
		compare_fill(a, v);
	}
	free_fetched(&j->fetched);
	for (size_t i = 0; i < j->fetched.n; i++)
		free(j->fetched.ids[i]);
	free(j);
}

static void compare_load(struct app *a, struct view *v)
{
	struct compare_state *s = v->data;
	struct compare_job *j = xcalloc(1, sizeof *j);

	j->fetched.n = s->n;
	for (size_t i = 0; i < s->n; i++)
		j->fetched.ids[i] = xstrdup(s->ids[i]);
	view_job_start(a, v, compare_run, compare_done, &j->job);
}

/* f: flip which way is better for the metric under the cursor. */
static void flip(struct app *a, struct view *v, const char *metric)
{
	struct compare_state *s = v->data;

	for (size_t i = 0; i < s->nflipped; i++)
		if (strcmp(s->flipped[i], metric) == 0) {
			free(s->flipped[i]);
			s->flipped[i] = s->flipped[--s->nflipped];
			compare_fill(a, v);
			return;
		}
	s->flipped = xrealloc(s->flipped, (s->nflipped + 1) * sizeof *s->flipped);
	s->flipped[s->nflipped++] = xstrdup(metric);
	compare_fill(a, v);
}

static int compare_action(struct app *a, struct view *v, enum action act)
{
	struct compare_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);
	/* the metric of the cursor's row, if it is a metric's or its history's */
	const char *metric = r && !r->layout && (r->kind == ROW_METRIC || r->kind == ROW_HISTORY) &&
				     r->index < s->cmp.nmetrics
				 ? s->cmp.metrics[r->index].key
				 : NULL;

	if (!s->loaded)
		return V_IGNORED;
	switch (act) {
	case ACT_ONLY_DIFF:
		s->only_diff = !s->only_diff;
		compare_fill(a, v);
		app_status(a, 0, s->only_diff ? "only rows that differ" : "all rows");
		free(v->title); /* the title says it while it is on */
		v->title = xasprintf("Compare %zu runs%s", s->n,
				     s->only_diff ? ", only rows that differ (o: all)" : "");
		return V_HANDLED;
	case ACT_FLIP:
		if (metric != NULL && r->kind == ROW_METRIC)
			flip(a, v, metric);
		else
			app_status(a, 1, "f works on a metric row");
		return V_HANDLED;
	case ACT_ENTER:
		if (metric != NULL) {
			const char *ids[MAX_RUNS];
			for (size_t i = 0; i < s->n; i++)
				ids[i] = s->runs[i].run_id;
			app_push(a, view_chart_new(a, metric, ids, s->n));
		}
		return V_HANDLED;
	default:
		return V_IGNORED;
	}
}

static void compare_free_view(struct view *v)
{
	struct compare_state *s = v->data;

	free_fetched(s);
	for (size_t i = 0; i < s->n; i++)
		free(s->ids[i]);
	for (size_t i = 0; i < s->nflipped; i++)
		free(s->flipped[i]);
	free(s->flipped);
	arena_free(&s->titles);
}

static const struct view_ops compare_ops = {
    .name = "compare",
    .data_size = sizeof(struct compare_state),
    .load = compare_load,
    .action = compare_action,
    .free = compare_free_view,
    .enter_hint = "chart",
    .hints = {ACT_ONLY_DIFF, ACT_FLIP, ACT_NONE},
};

struct view *view_compare_new(struct app *a, const char *const *ids, size_t n)
{
	char *title = xasprintf("Compare %zu runs", n);
	struct view *v = view_new(a, &compare_ops, title);
	struct compare_state *s = v->data;
	struct table_col first = {"KEY", 32, 0, 0, 0};

	free(title);
	for (size_t i = 0; i < n && i < MAX_RUNS; i++)
		s->ids[s->n++] = xstrdup(ids[i]);
	table_init(&v->table, &first, 1);
	return v;
}

static void cmd_compare(struct app *a, const char *arg)
{
	char *copy = xstrdup(arg);
	const char *ids[21];
	size_t n = 0;

	for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
		if (n < 21)
			ids[n++] = tok;
	if (n < 2 || n > 20)
		app_status(a, 1, ":compare takes 2 to 20 run ids (a unique prefix of 8 will do)");
	else
		app_push(a, view_compare_new(a, ids, n));
	free(copy);
}

APP_COMMAND(cmd_compare_info, .name = "compare", .args = "RUN RUN...",
	    .help = "Compare 2 to 20 runs side by side",
	    .run = cmd_compare,
	    .rank = 50);
