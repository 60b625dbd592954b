/* view_experiments.c: the experiments — id, name, runs, last activity. Enter
 * opens an experiment's runs. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "app.h"
#include "timefmt.h"
#include "xmalloc.h"

struct experiments_job {
	uint64_t view_id;
	struct mlc_experiment_list list;
	struct mlc_error err;
	int rc;
};

static void experiments_run(struct registry *r, void *arg)
{
	struct experiments_job *j = arg;
	j->rc = registry_list_experiments(r, 0, &j->list, &j->err);
}

static void experiments_done(struct app *a, void *arg)
{
	struct experiments_job *j = arg;
	struct view *v = view_job_done(a, j->view_id, j->rc, &j->err);

	if (v != NULL) {
		table_clear(&v->table);
		for (size_t i = 0; i < j->list.n; i++) {
			const struct mlc_experiment *e = &j->list.items[i];
			char n[24], when[32];
			snprintf(n, sizeof n, e->run_count < 0 ? "?" : "%lld", (long long)e->run_count);
			timefmt_minutes(e->last_update_time, when, sizeof when);
			table_add(&v->table, e->experiment_id, THEME_NORMAL,
				  (const char *[]){e->experiment_id, e->name, n, when});
		}
		table_done(&v->table);
	}
	MLC_LIST_FREE(&j->list);
	free(j);
}

static void experiments_load(struct app *a, struct view *v)
{
	struct experiments_job *j = xcalloc(1, sizeof *j);

	j->view_id = v->id;
	view_job_start(a, v, experiments_run, experiments_done, j);
}

static int experiments_action(struct app *a, struct view *v, enum action act)
{
	const char *key = table_cursor_key(&v->table);

	if (act == ACT_ENTER && key != NULL) {
		app_push(a, view_runs_new(a, key));
		return V_REDRAW;
	}
	return V_IGNORED;
}

static const struct view_ops experiments_ops = {
	.name = "experiments",
	.load = experiments_load,
	.action = experiments_action,
	.enter_hint = "runs",
	.counted = 1,
	.search = -1,
};

static const struct table_col experiments_cols[] = {
	{"ID", 20, 1, 0, 0},
	{"NAME", 40, 0, 0, 0},
	{"RUNS", 0, 1, 0, 0},
	{"LAST ACTIVITY", 0, 0, 1, 0},
};

struct view *view_experiments_new(struct app *a)
{
	struct view *v = view_new(a, &experiments_ops, "Experiments");
	table_init(&v->table, experiments_cols, 4);
	return v;
}
