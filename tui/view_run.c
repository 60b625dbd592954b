/* view_run.c: one run in full — attributes, the model versions registered from
 * it (Enter opens one), the datasets it used, params, tags, and every metric with its latest value,
 * min, max and a sparkline of its history (Enter opens the chart). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "page.h"
#include "spark.h"
#include "timefmt.h"
#include "xmalloc.h"

#define SPARK_CELLS 24

struct run_state {
	char *run_id;
	char *full_id; /* once loaded */
	/* the rows' objects, once loaded: the run (its metrics) and its versions */
	struct mlc_run_list run;
	struct mlc_version_list versions;
};

/* What a row stands for (struct table_ref's kind): Enter opens it. */
enum { ROW_FIELD, ROW_METRIC, ROW_VERSION };

struct run_job {
	struct view_job job; /* first: its view, rc and error */
	char *run_id;
	struct mlc_run_list run;
	struct mlc_metric_list *hist; /* one per metric of the run */
	struct mlc_version_list versions;
	struct mlc_experiment_list exp;
};

/* Worker thread: the run, its metric histories, its versions, its experiment. */
static void run_run(struct registry *r, void *arg)
{
	struct run_job *j = arg;
	struct mlc_error ignore = {0};
	struct mlc_history_req *req;
	const struct mlc_run *run;

	if ((j->job.rc = registry_get_run(r, j->run_id, &j->run, &j->job.err)) < 0)
		return;
	run = &j->run.items[0];
	j->hist = xcalloc(run->n_metrics + 1, sizeof *j->hist);
	req = xcalloc(run->n_metrics + 1, sizeof *req);
	for (size_t i = 0; i < run->n_metrics; i++)
		req[i] = (struct mlc_history_req){run->run_id, run->metrics[i].key};
	j->job.rc = registry_metric_histories(r, req, run->n_metrics, j->hist, &j->job.err);
	free(req);
	if (j->job.rc < 0)
		return;
	registry_versions_for_run(r, run->run_id, &j->versions, &ignore);
	registry_get_experiment(r, run->experiment_id, &j->exp, &ignore);
}

static void fill_attributes(struct view *v, const struct run_job *j)
{
	const struct mlc_run *run = &j->run.items[0];
	char buf[256];

	page_field(&v->table, THEME_NORMAL, "Run ID", run->run_id);
	page_field(&v->table, THEME_NORMAL, "Name", run->run_name);
	snprintf(buf, sizeof buf, "%s (%s)", run->experiment_id,
		 j->exp.n ? j->exp.items[0].name : "?");
	page_field(&v->table, THEME_NORMAL, "Experiment", buf);
	page_field(&v->table, THEME_NORMAL, "Status", run->status);
	page_field(&v->table, THEME_NORMAL, "User", run->user_id);
	page_time(&v->table, "Started", run->start_time);
	page_time(&v->table, "Ended", run->end_time);
	if (run->end_time > run->start_time) {
		snprintf(buf, sizeof buf, "%.1f min",
			 (double)(run->end_time - run->start_time) / 60000.0);
		page_field(&v->table, THEME_NORMAL, "Duration", buf);
	}
	page_field(&v->table, THEME_NORMAL, "Lifecycle", run->lifecycle_stage);
	page_field(&v->table, THEME_NORMAL, "Artifacts", run->artifact_uri);
}

/* The versions registered from this run: Enter opens them. */
static void fill_lineage(struct view *v, const struct mlc_version_list *l)
{
	page_heading(&v->table, "Registered as");
	for (size_t i = 0; i < l->n; i++) {
		char *key = xasprintf("v:%s\x1f%s", l->items[i].model, l->items[i].version);
		char *what = xasprintf("%s version %s", l->items[i].model, l->items[i].version);
		table_add_ref(&v->table, key, THEME_NORMAL,
			      (const char *[]){what, l->items[i].stage, "", "", ""},
			      (struct table_ref){.kind = ROW_VERSION, .index = i});
		free(what);
		free(key);
	}
	if (l->n == 0)
		page_field(&v->table, THEME_DIM, "(no model version)", "");
}

/* One metric row: latest, min, max and the sparkline of its history. */
static void metric_row(struct app *a, struct view *v, const struct mlc_metric *m,
		       const struct mlc_metric_list *h, size_t index)
{
	double *vals = xcalloc(h->n + 1, sizeof *vals);
	double lo = NAN, hi = NAN;
	struct spark_opts so = {.ascii = !a->utf8, .width = SPARK_CELLS};
	char latest[32], mn[32], mx[32], *spark, *key;

	for (size_t i = 0; i < h->n; i++) {
		vals[i] = h->items[i].value;
		if (isfinite(vals[i])) {
			lo = isnan(lo) || vals[i] < lo ? vals[i] : lo;
			hi = isnan(hi) || vals[i] > hi ? vals[i] : hi;
		}
	}
	snprintf(latest, sizeof latest, isnan(m->value) ? "NaN" : "%.6g", m->value);
	snprintf(mn, sizeof mn, isnan(lo) ? "-" : "%.6g", lo);
	snprintf(mx, sizeof mx, isnan(hi) ? "-" : "%.6g", hi);
	spark = spark_render(vals, h->n, &so);
	key = xasprintf("m:%s", m->key);
	table_add_ref(&v->table, key, THEME_NORMAL, (const char *[]){m->key, latest, mn, mx, spark},
		      (struct table_ref){.kind = ROW_METRIC, .index = index});
	free(key);
	free(spark);
	free(vals);
}

static void run_done(struct app *a, void *arg)
{
	struct run_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct run_state *s = v->data;
		const struct mlc_run *run = &j->run.items[0];
		free(s->full_id);
		s->full_id = xstrdup(run->run_id);
		table_clear(&v->table);
		fill_attributes(v, j);
		fill_lineage(v, &j->versions);
		page_datasets(&v->table, "Datasets", run);
		page_kv(&v->table, "Params", run->params, run->n_params);
		page_kv(&v->table, "Tags", run->tags, run->n_tags);
		page_heading(&v->table, "Metrics (latest, min, max, history)");
		for (size_t i = 0; i < run->n_metrics; i++)
			metric_row(a, v, &run->metrics[i], &j->hist[i], i);
		table_done(&v->table);
		MLC_LIST_FREE(&s->versions); /* the rows' objects: the view's now */
		s->versions = j->versions;
		j->versions = (struct mlc_version_list){0};
	}
	if (j->hist)
		for (size_t i = 0; j->run.n && i < j->run.items[0].n_metrics; i++)
			MLC_LIST_FREE(&j->hist[i]);
	free(j->hist);
	if (v != NULL) { /* the run too: its metrics are the rows' */
		struct run_state *s = v->data;
		MLC_LIST_FREE(&s->run);
		s->run = j->run;
		j->run = (struct mlc_run_list){0};
	}
	MLC_LIST_FREE(&j->run);
	MLC_LIST_FREE(&j->versions);
	MLC_LIST_FREE(&j->exp);
	free(j->run_id);
	free(j);
}

static void run_load(struct app *a, struct view *v)
{
	struct run_state *s = v->data;
	struct run_job *j = xcalloc(1, sizeof *j);

	j->run_id = xstrdup(s->run_id);
	view_job_start(a, v, run_run, run_done, &j->job);
}

/* 1 when Enter does something on the cursor's row: a metric or a version. */
static int run_enter_here(const struct view *v)
{
	const struct table_ref *r = table_cursor_ref(&v->table);

	return r && !r->layout && (r->kind == ROW_METRIC || r->kind == ROW_VERSION);
}

static int run_action(struct app *a, struct view *v, enum action act)
{
	struct run_state *s = v->data;
	const struct table_ref *r = table_cursor_ref(&v->table);

	if (act != ACT_ENTER || r == NULL || r->layout || s->full_id == NULL)
		return V_IGNORED;
	if (r->kind == ROW_METRIC && s->run.n && r->index < s->run.items[0].n_metrics) {
		const char *ids[1] = {s->full_id};
		app_push(a, view_chart_new(a, s->run.items[0].metrics[r->index].key, ids, 1));
	} else if (r->kind == ROW_VERSION && r->index < s->versions.n) {
		const struct mlc_version *ver = &s->versions.items[r->index];
		app_push(a, view_version_new(a, ver->model, ver->version));
	}
	return V_HANDLED;
}

static void run_free(struct view *v)
{
	struct run_state *s = v->data;

	free(s->run_id);
	free(s->full_id);
	MLC_LIST_FREE(&s->run);
	MLC_LIST_FREE(&s->versions);
}

static const struct view_ops run_ops = {
    .name = "run",
    .data_size = sizeof(struct run_state),
    .load = run_load,
    .action = run_action,
    .free = run_free,
    .enter_hint = "chart/version",
    .enter_here = run_enter_here,
};

static const struct table_col cols[] = {
    {"FIELD", 32, 0, 0, 0}, {"VALUE", 40, 0, 0, 0},  {"MIN", 0, 1, 0, 0},
    {"MAX", 0, 1, 0, 0},	 {"HISTORY", 0, 0, 1, 1},
};

struct view *view_run_new(struct app *a, const char *run_id)
{
	char *title = xasprintf("Run %s", run_id);
	struct view *v = view_new(a, &run_ops, title);
	struct run_state *s = v->data;

	free(title);
	s->run_id = xstrdup(run_id);
	table_init(&v->table, cols, 5);
	return v;
}
