/* view_columns.c: the column picker of the runs view — every metric, param and
 * tag key of the experiment (there can be thousands: / filters them), Space
 * toggles, Enter applies, Esc leaves the columns as they were. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "xmalloc.h"

#define MAX_CHOSEN (TABLE_MAX_COLS - 4)

struct columns_state {
	uint64_t parent_id;
	char *experiment;
	struct mlc_keys keys;
	char *chosen[MAX_CHOSEN];
	size_t nchosen;
};

struct columns_job {
	struct view_job job; /* first: its view, rc and error */
	char *experiment;
	struct mlc_keys keys;
};

static void columns_run(struct registry *r, void *arg)
{
	struct columns_job *j = arg;
	j->job.rc = registry_experiment_keys(r, j->experiment, 0, &j->keys, &j->job.err);
}

/* Index of col among the chosen, or -1. */
static int chosen_at(const struct columns_state *s, const char *col)
{
	for (size_t i = 0; i < s->nchosen; i++)
		if (strcmp(s->chosen[i], col) == 0)
			return (int)i;
	return -1;
}

/* One row per key: [x] KIND KEY, keyed by the column spec. */
static void add_keys(struct view *v, const char *prefix, const char *kind, const char **keys, size_t n)
{
	struct columns_state *s = v->data;

	for (size_t i = 0; i < n; i++) {
		char *col = xasprintf("%s.%s", prefix, keys[i]);
		int on = chosen_at(s, col) >= 0;
		table_add(&v->table, col, on ? THEME_MARKED : THEME_NORMAL,
			  (const char *[]){on ? "[x]" : "[ ]", kind, keys[i]});
		free(col);
	}
}

static void columns_fill(struct view *v)
{
	struct columns_state *s = v->data;

	table_clear(&v->table);
	add_keys(v, "metrics", "metric", s->keys.metrics, s->keys.n_metrics);
	add_keys(v, "params", "param", s->keys.params, s->keys.n_params);
	add_keys(v, "tags", "tag", s->keys.tags, s->keys.n_tags);
	table_done(&v->table);
}

static void columns_done(struct app *a, void *arg)
{
	struct columns_job *j = arg;
	struct view *v = view_job_done(a, &j->job);

	if (v != NULL) {
		struct columns_state *s = v->data;
		mlc_keys_free(&s->keys);
		s->keys = j->keys;
		memset(&j->keys, 0, sizeof j->keys);
		columns_fill(v);
	}
	mlc_keys_free(&j->keys);
	free(j->experiment);
	free(j);
}

static void columns_load(struct app *a, struct view *v)
{
	struct columns_state *s = v->data;
	struct columns_job *j = xcalloc(1, sizeof *j);

	j->experiment = xstrdup(s->experiment);
	view_job_start(a, v, columns_run, columns_done, &j->job);
}

/* Space: choose or drop the key under the cursor. */
static void toggle(struct app *a, struct view *v)
{
	struct columns_state *s = v->data;
	const char *col = table_cursor_key(&v->table);
	int at;

	if (col == NULL)
		return;
	at = chosen_at(s, col);
	if (at >= 0) {
		free(s->chosen[at]);
		memmove(&s->chosen[at], &s->chosen[at + 1], (s->nchosen - (size_t)at - 1) * sizeof s->chosen[0]);
		s->nchosen--;
	} else if (s->nchosen == MAX_CHOSEN) {
		app_status(a, 1, "at most %d columns", MAX_CHOSEN);
		return;
	} else {
		s->chosen[s->nchosen++] = xstrdup(col);
	}
	columns_fill(v);
	table_move(&v->table, ACT_DOWN, 1);
}

static int columns_action(struct app *a, struct view *v, enum action act)
{
	struct columns_state *s = v->data;
	struct view *parent;

	if (act == ACT_MARK) {
		toggle(a, v);
		return V_HANDLED;
	}
	if (act != ACT_ENTER)
		return V_IGNORED;
	parent = app_find_view(a, s->parent_id);
	if (parent != NULL)
		view_runs_set_columns(a, parent, (const char *const *)s->chosen, s->nchosen);
	app_pop(a);
	return V_HANDLED;
}

static void columns_free(struct view *v)
{
	struct columns_state *s = v->data;

	for (size_t i = 0; i < s->nchosen; i++)
		free(s->chosen[i]);
	mlc_keys_free(&s->keys);
	free(s->experiment);
}

static const struct view_ops columns_ops = {
	.name = "columns",
    .data_size = sizeof(struct columns_state),
	.load = columns_load,
	.action = columns_action,
	.free = columns_free,
	.enter_hint = "apply",
	.counted = 1,
	.hints = {ACT_MARK, ACT_NONE},
};

static const struct table_col cols[] = {
	{"SHOW", 0, 0, 0, 0},
	{"KIND", 0, 0, 0, 0},
	{"KEY", 0, 0, 1, 0},
};

struct view *view_columns_new(struct app *a, struct view *parent, const char *experiment)
{
	struct view *v = view_new(a, &columns_ops, "Columns (Space toggles, Enter applies)");
	struct columns_state *s = v->data;
	const char *const *cur = NULL;
	size_t n = 0;

	s->parent_id = parent->id;
	s->experiment = xstrdup(experiment);
	view_runs_columns(parent, &cur, &n);
	for (size_t i = 0; i < n && i < MAX_CHOSEN; i++)
		s->chosen[s->nchosen++] = xstrdup(cur[i]);
	table_init(&v->table, cols, 3);
	return v;
}
