/* view_experiments.c: the experiments — id, name, runs, last activity. Enter
 * opens an experiment's runs. A server gives no run counts: they are counted
 * in the background after the list shows ("…" until then, "≥1000" past
 * COUNT_CAP), and the newest run's time becomes the last activity. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Runs counted per experiment where the registry has no count (a server):
 * up to COUNT_CAP, then "≥COUNT_CAP"; one request of PAGE runs each. */
#define COUNT_CAP 1000

struct experiments_job {
	struct view_job job; /* first: its view, rc and error */
	struct mlc_experiment_list list;
};

/* What the view keeps: the listing, and the counts learnt for it after. */
struct experiments_state {
	struct mlc_experiment_list list;
	int64_t *count;	 /* runs seen, -1 not yet counted, -2 the count failed */
	int *more;	 /* more than count */
	int64_t *newest; /* the newest run's start or end, 0 unknown */
	uint64_t gen;	 /* bumped by each load: older counts are dropped */
	int utf8;	 /* "…" and "≥", else "..." and ">=" */
};

/* The background count: for each experiment, its first COUNT_CAP + 1 runs,
 * one experiment a step (one job each: another view's load waits for one
 * request at most, and the count stops when the view is gone). */
struct count_job {
	uint64_t view_id, gen;
	char **ids;
	size_t n, at; /* at: the experiment this step counts */
	int64_t *count, *newest;
	int *more;
};

static void experiments_run(struct registry *r, void *arg)
{
	struct experiments_job *j = arg;
	j->job.rc = registry_list_experiments(r, 0, &j->list, &j->job.err);
}

/* The table from the state: a count learnt in the background wins, and the
 * newest run's time when it is later than the experiment's own. */
static void experiments_fill(struct view *v)
{
	struct experiments_state *s = v->data;

	table_clear(&v->table);
	for (size_t i = 0; i < s->list.n; i++) {
		const struct mlc_experiment *e = &s->list.items[i];
		int64_t n = e->run_count >= 0 ? e->run_count : s->count[i];
		int64_t at =
		    s->newest[i] > e->last_update_time ? s->newest[i] : e->last_update_time;
		char cnt[32], when[32];

		if (n == -2)
			snprintf(cnt, sizeof cnt, "?");
		else if (n < 0)
			snprintf(cnt, sizeof cnt, "%s", s->utf8 ? "…" : "...");
		else
			snprintf(cnt, sizeof cnt, "%s%lld",
				 s->more[i] ? (s->utf8 ? "≥" : ">=") : "", (long long)n);
		timefmt_minutes(at, when, sizeof when);
		table_add(&v->table, e->experiment_id, THEME_NORMAL,
			  (const char *[]){e->experiment_id, e->name, cnt, when});
	}
	table_done(&v->table);
}

/* Worker thread: count experiment j->at (its first COUNT_CAP + 1 runs) and
 * find its newest run's time. */
static void count_run(struct registry *r, void *arg)
{
	struct count_job *j = arg;
	size_t i = j->at;
	struct mlc_run_query q = {.experiment = j->ids[i], .limit = COUNT_CAP + 1, .lean = 1};
	struct mlc_run_list runs = {0};
	struct mlc_error err = {0};

	if (registry_list_runs(r, &q, &runs, &err) == 0) {
		j->more[i] = runs.n > COUNT_CAP;
		j->count[i] = j->more[i] ? COUNT_CAP : (int64_t)runs.n;
		for (size_t k = 0; k < runs.n; k++) {
			const struct mlc_run *ru = &runs.items[k];
			int64_t t = ru->end_time > ru->start_time ? ru->end_time : ru->start_time;
			if (t > j->newest[i])
				j->newest[i] = t;
		}
	} else {
		j->count[i] = -2; /* the server would not say: "?" */
	}
	MLC_LIST_FREE(&runs);
}

static void count_job_free(struct count_job *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->ids[i]);
	free(j->ids);
	free(j->count);
	free(j->newest);
	free(j->more);
	free(j);
}

static void count_done(struct app *a, void *arg)
{
	struct count_job *j = arg;
	struct view *v = a ? app_find_view(a, j->view_id) : NULL;
	struct experiments_state *s = v ? v->data : NULL;

	if (s != NULL && s->gen == j->gen) {
		for (size_t i = 0, k = 0; i < s->list.n && k < j->n; i++) {
			if (s->list.items[i].run_count >= 0)
				continue;
			s->count[i] = j->count[k];
			s->more[i] = j->more[k];
			s->newest[i] = j->newest[k];
			k++;
		}
		experiments_fill(v);
		if (++j->at < j->n) { /* the next experiment */
			worker_submit(a->worker, count_run, count_done, j);
			return;
		}
	}
	count_job_free(j);
}

/* Count in the background the experiments the registry gave no count for. */
static void count_submit(struct app *a, struct view *v)
{
	struct experiments_state *s = v->data;
	struct count_job *j = xcalloc(1, sizeof *j);

	for (size_t i = 0; i < s->list.n; i++)
		j->n += s->list.items[i].run_count < 0;
	if (j->n == 0) {
		free(j);
		return;
	}
	j->view_id = v->id;
	j->gen = s->gen;
	j->ids = xcalloc(j->n, sizeof *j->ids);
	j->count = xcalloc(j->n, sizeof *j->count);
	j->newest = xcalloc(j->n, sizeof *j->newest);
	j->more = xcalloc(j->n, sizeof *j->more);
	for (size_t i = 0, k = 0; i < s->list.n; i++)
		if (s->list.items[i].run_count < 0) {
			j->ids[k] = xstrdup(s->list.items[i].experiment_id);
			j->count[k++] = -1;
		}
	worker_submit(a->worker, count_run, count_done, j);
}

static void state_reset(struct experiments_state *s)
{
	MLC_LIST_FREE(&s->list);
	free(s->count);
	free(s->more);
	free(s->newest);
	s->count = NULL;
	s->more = NULL;
	s->newest = NULL;
}

static void experiments_done(struct app *a, void *arg)
{
	struct experiments_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct experiments_state *s = v->data;
		state_reset(s);
		s->list = j->list;
		memset(&j->list, 0, sizeof j->list);
		s->count = xcalloc(s->list.n + 1, sizeof *s->count);
		s->more = xcalloc(s->list.n + 1, sizeof *s->more);
		s->newest = xcalloc(s->list.n + 1, sizeof *s->newest);
		for (size_t i = 0; i < s->list.n; i++)
			s->count[i] = -1;
		s->gen++;
		experiments_fill(v);
		count_submit(a, v);
	}
	MLC_LIST_FREE(&j->list);
	free(j);
}

static void experiments_load(struct app *a, struct view *v)
{
	struct experiments_job *j = xcalloc(1, sizeof *j);

	view_job_start(a, v, experiments_run, experiments_done, &j->job);
}

static void experiments_free(struct view *v)
{
	state_reset(v->data);
}

static int experiments_action(struct app *a, struct view *v, enum action act)
{
	const char *key = table_cursor_key(&v->table);

	if (act == ACT_ENTER && key != NULL) {
		app_push(a, view_runs_new(a, key));
		return V_HANDLED;
	}
	return V_IGNORED;
}

static const struct view_ops experiments_ops = {
    .name = "experiments",
    .data_size = sizeof(struct experiments_state),
    .load = experiments_load,
    .action = experiments_action,
    .enter_hint = "runs",
    .counted = 1,
    .free = experiments_free,
};

static const struct table_col experiments_cols[] = {
    {"ID", 20, 1, 0, 0},
    {"NAME", 40, 0, 0, 0},
    {"RUNS", 0, 1, 0, 0},
    {"LAST ACTIVITY", 0, 0, 1, 0},
};

static void cmd_experiments(struct app *a, const char *arg)
{
	struct view *v;
	struct experiments_state *s;

	app_home(a);
	v = view_new(a, &experiments_ops, "Experiments");
	s = v->data;
	s->utf8 = a->utf8;
	table_init(&v->table, experiments_cols, 4);
	app_push(a, v);
}

APP_COMMAND(cmd_experiments_info, .name = "experiments", .args = "",
	    .help = "Experiments",
	    .run = cmd_experiments,
	    .rank = 30);
